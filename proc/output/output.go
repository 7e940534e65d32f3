// Package output forwards a launched program's stdout and stderr to the
// client as it arrives, in the order written, and lets the debugger flush
// it before it reports a stop: what the program printed before it stopped
// shows before the stop, as in a terminal.
//
// The program never waits for the client: each pipe has a goroutine of its
// own, blocked in poll, that moves what arrives into a queue in memory at
// once, and one delivery goroutine hands the queue to the sink, which may
// block on a slow client as long as it likes. Past maxQueued bytes waiting,
// output is dropped and the client is told how much. Data leaves a pipe
// only under one mutex and reaches the sink only under another, so Flush
// (called on the debugger's owner) and the goroutines never send the same
// bytes twice or out of order.
package output

import (
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Capture is the output of one program.
type Capture struct {
	sink  func(category, text string)
	mu    sync.Mutex // held while output leaves a pipe, and for queue
	pipes []*pipe
	wg    sync.WaitGroup

	queue   []chunk // read, not yet sent
	queued  int     // bytes in queue
	dropped int     // bytes dropped since the client was last told
	ready   chan struct{}
	sending sync.Mutex // held while the sink is called, in queue order
	stop    chan struct{}
}

// chunk is output read from one pipe.
type chunk struct{ category, text string }

// maxQueued bounds the output waiting for a client that does not read.
const maxQueued = 64 << 20

type pipe struct {
	fd       int
	category string
	closed   bool // guarded by Capture.mu
}

// New makes pipes for stdout and stderr; the program gets the returned
// write ends, which the caller closes once the program has its copies.
// Start then forwards what the program writes to sink.
func New(sink func(category, text string)) (*Capture, [2]*os.File, error) {
	c := &Capture{sink: sink, ready: make(chan struct{}, 1), stop: make(chan struct{})}
	var ws [2]*os.File
	for i, category := range []string{"stdout", "stderr"} {
		var fds [2]int
		if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
			c.Close()
			return nil, ws, fmt.Errorf("cannot make a pipe for the program's %s: %w", category, err)
		}
		if err := unix.SetNonblock(fds[0], true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			c.Close()
			return nil, ws, err
		}
		c.pipes = append(c.pipes, &pipe{fd: fds[0], category: category})
		ws[i] = os.NewFile(uintptr(fds[1]), category)
	}
	return c, ws, nil
}

// Start forwards the output as it arrives, until each pipe's end of file.
func (c *Capture) Start() {
	c.wg.Add(len(c.pipes))
	for _, r := range c.pipes {
		go c.pump(r)
	}
	go c.deliver()
}

// deliver sends the queue to the sink as it fills, until the pipes are
// finished and the queue is empty.
func (c *Capture) deliver() {
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	for {
		select {
		case <-c.ready:
		case <-done:
			c.send()
			return
		case <-c.stop:
			return
		}
		c.send()
	}
}

// send hands everything queued to the sink, in order.
func (c *Capture) send() {
	c.sending.Lock()
	defer c.sending.Unlock()
	c.mu.Lock()
	q, dropped := c.queue, c.dropped
	c.queue, c.queued, c.dropped = nil, 0, 0
	c.mu.Unlock()
	for _, ch := range q {
		c.sink(ch.category, ch.text)
	}
	if dropped > 0 {
		c.sink("important", fmt.Sprintf("[%d bytes of the program's output were dropped: the client did not read them in time]\n", dropped))
	}
}

// Close closes the read ends (a program that never started).
func (c *Capture) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.pipes {
		r.close()
	}
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
}

func (r *pipe) close() {
	if !r.closed {
		r.closed = true
		unix.Close(r.fd)
	}
}

func (c *Capture) pump(r *pipe) {
	defer c.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		fds := []unix.PollFd{{Fd: int32(r.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
			break
		}
		c.mu.Lock()
		done := c.drain(r, buf)
		c.mu.Unlock()
		select {
		case c.ready <- struct{}{}:
		default:
		}
		if done {
			break
		}
	}
	c.mu.Lock()
	r.close()
	c.mu.Unlock()
}

// drain queues what the pipe holds now; it reports whether the pipe is
// finished (end of file, or closed). Called with mu held.
func (c *Capture) drain(r *pipe, buf []byte) bool {
	for !r.closed {
		n, err := unix.Read(r.fd, buf)
		switch {
		case n > 0 && c.queued+n > maxQueued:
			c.dropped += n
		case n > 0:
			c.queue = append(c.queue, chunk{r.category, string(buf[:n])})
			c.queued += n
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			return false
		default:
			return true // end of file, or a broken pipe
		}
	}
	return true
}

// Flush sends everything the program wrote so far, waiting for the sink.
func (c *Capture) Flush() {
	c.mu.Lock()
	var buf [4096]byte
	for _, r := range c.pipes {
		c.drain(r, buf[:])
	}
	c.mu.Unlock()
	c.send()
}

// Wait waits, at most timeout, for the output to reach its end of file (a
// grandchild that inherited the pipes may keep them open for ever), and
// sends what is queued.
func (c *Capture) Wait(timeout time.Duration) {
	done := make(chan struct{})
	go func() { c.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
	c.send()
}
