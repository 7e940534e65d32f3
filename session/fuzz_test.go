package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// unfuzzed are the requests the fuzzer must not send with arbitrary
// arguments: they run or trace programs (any program, any pid).
var unfuzzed = map[string]bool{"launch": true, "attach": true}

// fuzzCommands are the commands the dispatcher fuzz sends, in a fixed
// order so that a corpus entry keeps its meaning.
func fuzzCommands() []string {
	var out []string
	for _, c := range New(dap.NewConn(strings.NewReader(""), io.Discard)).Mux().Commands() {
		if !unfuzzed[c] {
			out = append(out, c)
		}
	}
	return out
}

// FuzzDispatch sends one request of every registered command (but launch
// and attach) with arbitrary arguments to a session without a process,
// then a threads request: each is answered with a valid response, never
// an internal error (a recovered panic), and the session keeps serving.
func FuzzDispatch(f *testing.F) {
	cmds := fuzzCommands()
	seeds := []string{`{}`, `null`, `[]`, `{"threadId":1}`, `{"frameId":-1,"expression":"x"}`,
		`{"variablesReference":1,"start":-1,"count":9223372036854775807}`,
		`{"source":{"path":"/dev/zero"}}`, `{"source":{"sourceReference":1},"breakpoints":[{"line":0}]}`,
		`{"memoryReference":"0xffffffffffffffff","offset":-9223372036854775808,"count":9223372036854775807}`,
		`{"breakpoints":[{"dataId":"1:0x10/8"},{"instructionReference":"0x0","offset":-1}],"filters":["x"]}`,
		`{"startModule":1,"moduleCount":9223372036854775807}`, `{"targetId":4198400}`, `{"line":-1,"endLine":1e300}`}
	for i := range cmds {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, args []byte) {
		cmd := cmds[int(which)%len(cmds)]
		if !json.Valid(args) {
			args, _ = json.Marshal(string(args))
		}
		var in bytes.Buffer
		for _, m := range []string{
			fmt.Sprintf(`{"seq":1,"type":"request","command":%q,"arguments":%s}`, cmd, args),
			`{"seq":2,"type":"request","command":"threads"}`,
		} {
			fmt.Fprintf(&in, "Content-Length: %d\r\n\r\n%s", len(m), m)
		}
		var out bytes.Buffer
		conn := dap.NewConn(&in, &out)
		s := New(conn)
		done := make(chan error, 1)
		go func() { done <- conn.Serve(s.Mux()) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s %s: no answer in 10s", cmd, args)
		}
		s.Close()
		conn.Close()
		text := out.String()
		if strings.Contains(text, "internal error") {
			t.Fatalf("%s %s: %s", cmd, args, text)
		}
		if !strings.Contains(text, `"request_seq":2`) {
			t.Fatalf("%s %s: the next request was not answered: %s", cmd, args, text)
		}
		for _, part := range strings.Split(text, "Content-Length: ")[1:] {
			_, body, _ := strings.Cut(part, "\r\n\r\n")
			if err := daptest.ValidateMessage([]byte(body)); err != nil {
				t.Fatalf("%s %s: %v", cmd, args, err)
			}
		}
	})
}
