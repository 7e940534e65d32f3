// Package diskcache keeps files in a cache directory, each whole or not at
// all, for any number of processes at once: a file is written to a
// temporary name and renamed into place, so a reader never sees half of
// one; it ends with a SHA-256 of its contents, so a truncated or damaged
// one is refused; and the directory is pruned to a size, the least
// recently used files first, as lldb bounds its index cache. Large
// records go in and out a chunk at a time (EncodeChunks, DecodeChunks).
package diskcache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Dir is where dap-ptrace's index files go: $DAP_PTRACE_INDEX_CACHE, else
// $XDG_CACHE_HOME/dap-ptrace/index, else ~/.cache/dap-ptrace/index; ""
// (and DAP_PTRACE_INDEX_CACHE=off) turns the cache off.
func Dir() string {
	if d := os.Getenv("DAP_PTRACE_INDEX_CACHE"); d != "" {
		if d == "off" {
			return ""
		}
		return d
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "dap-ptrace", "index")
}

// MaxBytes bounds a cache directory: every rebuilt program leaves a file
// behind.
const MaxBytes = 256 << 20

// Read returns the contents of file name in dir, checked, and marks it
// used now (the last to go when the directory is pruned).
func Read(dir, name string) ([]byte, error) {
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if len(b) < sha256.Size {
		return nil, errors.New("truncated")
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("damaged")
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now)
	return body, nil
}

// Write stores what write writes as file name in dir, whole or not at
// all, then prunes the directory to MaxBytes. It streams to the file,
// followed by the checksum: an index of tens of megabytes is never held
// in memory a second time to be written.
func Write(dir, name string, write func(io.Writer) error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return err
	}
	sum := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, sum), 64<<10)
	werr := write(bw)
	if werr == nil {
		werr = bw.Flush()
	}
	if werr == nil {
		_, werr = tmp.Write(sum.Sum(nil))
	}
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return errors.Join(werr, cerr)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	prune(dir, MaxBytes)
	return nil
}

// prune removes the least recently used files until dir holds at most max
// bytes, and leftovers of interrupted writes. Another process removing
// the same file at the same time costs nothing.
func prune(dir string, max int64) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type entry struct {
		path string
		size int64
		mod  time.Time
	}
	var all []entry
	var total int64
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if strings.Contains(e.Name(), ".tmp") {
			if time.Since(info.ModTime()) > time.Hour {
				os.Remove(p) // a write that never finished
			}
			continue
		}
		all = append(all, entry{p, info.Size(), info.ModTime()})
		total += info.Size()
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod.Before(all[j].mod) })
	for _, e := range all {
		if total <= max {
			break
		}
		if os.Remove(e.path) == nil {
			total -= e.size
		}
	}
}
