package dap_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/dap"
)

// FuzzServe feeds arbitrary bytes to the read loop: it must neither panic
// nor hang, and whatever it writes must be well-framed JSON messages.
func FuzzServe(f *testing.F) {
	frame := func(body string) []byte {
		return append([]byte("Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"), body...)
	}
	f.Add(frame(`{"seq":1,"type":"request","command":"echo","arguments":{"n":1}}`))
	f.Add(frame(`{"seq":"2","command":"echo"}`))
	f.Add(frame(`{"seq":3.0,"type":"response","request_seq":1,"success":true,"command":"x"}`))
	f.Add(frame(`not json`))
	f.Add([]byte("Content-Length: 99999999999\r\n\r\n{"))
	f.Add([]byte("Content-Length: 5\r\nX-Other: 1\r\n\r\n{}{}{"))
	f.Add(append(frame(`{"seq":1,"command":"fail"}`), frame(`{"seq":2,"command":"panic","arguments":[]}`)...))
	f.Fuzz(func(t *testing.T, in []byte) {
		m := dap.NewMux()
		dap.Handle(m, "echo", func(_ *dap.Request, a struct{ N int }) (struct{ N int }, error) { return a, nil })
		dap.Handle(m, "fail", func(_ *dap.Request, _ struct{}) (struct{}, error) { return struct{}{}, errors.New("no") })
		dap.Handle(m, "panic", func(_ *dap.Request, _ []int) (struct{}, error) { panic("handler panic") })
		var out bytes.Buffer
		c := dap.NewConn(bytes.NewReader(in), &out)
		done := make(chan struct{})
		go func() {
			_ = c.Serve(m)
			c.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Serve did not return on %q", in)
		}
		checkFramed(t, out.Bytes())
	})
}

// checkFramed checks that out is a sequence of Content-Length framed JSON
// objects.
func checkFramed(t *testing.T, out []byte) {
	t.Helper()
	for len(out) > 0 {
		head, rest, ok := bytes.Cut(out, []byte("\r\n\r\n"))
		if !ok {
			t.Fatalf("unframed output %q", out)
		}
		var n int
		if _, err := fmt.Sscanf(string(head), "Content-Length: %d", &n); err != nil || n > len(rest) {
			t.Fatalf("bad header %q (%v)", head, err)
		}
		if !json.Valid(rest[:n]) {
			t.Fatalf("invalid JSON written: %q", rest[:n])
		}
		out = rest[n:]
	}
}
