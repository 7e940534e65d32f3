package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A client that stops reading does not stop the program: it writes 8 MiB
// to stdout while the client reads nothing, and gets to its end; then the
// client reads on and receives all of it, in order, before the exit.
func TestSlowClientDoesNotBlockProgram(t *testing.T) {
	f := buildC(t, "chatty")
	fifo := filepath.Join(t.TempDir(), "done")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	raw := startRawAt(t, f, "run", "8", fifo)
	// The client reads nothing now. The program opens the FIFO only once
	// its output is written.
	done := make(chan error, 1)
	go func() {
		b, err := os.ReadFile(fifo)
		if err == nil && string(b) != "done" {
			err = os.ErrInvalid
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the program did not get its output out while the client was not reading")
	}
	got := 0
	for {
		m := raw.until(t, `"type":"event"`)
		var ev struct {
			Event string `json:"event"`
			Body  struct {
				Category string `json:"category"`
				Output   string `json:"output"`
			} `json:"body"`
		}
		if err := json.Unmarshal(m, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Event == "output" && ev.Body.Category == "stdout" {
			for i := 0; i < len(ev.Body.Output); i++ {
				if c := ev.Body.Output[i]; (got+i)%64 == 63 && c != '\n' || (got+i)%64 != 63 && c != 'x' {
					t.Fatalf("byte %d of the output is %q: out of order or lost", got+i, c)
				}
			}
			got += len(ev.Body.Output)
		}
		if ev.Event == "exited" {
			break
		}
	}
	if got != 8<<20 {
		t.Errorf("received %d bytes of output, want %d", got, 8<<20)
	}
}
