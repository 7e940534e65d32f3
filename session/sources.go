package session

import (
	"fmt"
	"os"
	"path/filepath"

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
	b, err := os.ReadFile(args.Source.Path)
	if err != nil {
		return godap.SourceResponseBody{}, &Error{ID: errIDState, Err: fmt.Errorf("cannot read %s: %v", args.Source.Path, err)}
	}
	return godap.SourceResponseBody{Content: string(b)}, nil
}
