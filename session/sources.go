package session

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/dap-ptrace/dap-ptrace/dap"
	godap "github.com/google/go-dap"
)

func (s *Session) registerSources() {
	dap.Handle(s.mux, "loadedSources", s.loadedSources, func(c *godap.Capabilities) {
		c.SupportsLoadedSourcesRequest = true
	})
	dap.Handle(s.mux, "source", s.source)
}

func (s *Session) loadedSources(_ *dap.Request, _ struct{}) (godap.LoadedSourcesResponseBody, error) {
	files, err := s.dbg.Sources()
	if err != nil {
		return godap.LoadedSourcesResponseBody{}, fail(errIDState, err)
	}
	body := godap.LoadedSourcesResponseBody{Sources: make([]godap.Source, 0, len(files))}
	for _, f := range files {
		body.Sources = append(body.Sources, godap.Source{Name: filepath.Base(f), Path: f})
	}
	return body, nil
}

type sourceArgs struct {
	Source *struct {
		Path            string `json:"path"`
		SourceReference int    `json:"sourceReference"`
	} `json:"source"`
	SourceReference int `json:"sourceReference"`
}

// source serves a source file's text to a client that cannot read it
// itself, and the disassembly listings stack frames without source point
// to.
func (s *Session) source(_ *dap.Request, args sourceArgs) (godap.SourceResponseBody, error) {
	if args.Source == nil || args.Source.Path == "" {
		ref := args.SourceReference
		if args.Source != nil && args.Source.SourceReference != 0 {
			ref = args.Source.SourceReference
		}
		s.mu.Lock()
		var key uint64
		ok := ref > 0 && ref <= len(s.listings)
		if ok {
			key = s.listings[ref-1]
		}
		s.mu.Unlock()
		if !ok {
			return godap.SourceResponseBody{}, &Error{ID: errIDState, Err: fmt.Errorf("no source is known by sourceReference %d", ref)}
		}
		text, err := s.dbg.ListingText(key)
		if err != nil {
			return godap.SourceResponseBody{}, fail(errIDState, err)
		}
		return godap.SourceResponseBody{Content: text, MimeType: "text/x-asm"}, nil
	}
	b, err := readSource(args.Source.Path)
	if err != nil {
		return godap.SourceResponseBody{}, &Error{ID: errIDState, Err: err}
	}
	return godap.SourceResponseBody{Content: string(b)}, nil
}

// maxSource is the largest source file served: beyond it the answer would
// pass go-dap's 4 MiB message cap at the client.
const maxSource = 4 << 20

// readSource reads a source file for a client: a regular file only, and
// not more than maxSource bytes, so that a path such as /dev/zero or a
// FIFO cannot make the adapter read forever.
func readSource(path string) ([]byte, error) {
	// Non-blocking: opening a FIFO would otherwise wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("cannot read %s: not a regular file", path)
	case st.Size() > maxSource:
		return nil, fmt.Errorf("cannot read %s: %d bytes is more than the %d a source may have", path, st.Size(), maxSource)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSource+1))
	if err == nil && len(b) > maxSource {
		err = fmt.Errorf("it grew past %d bytes", maxSource)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	return b, nil
}
