// Command gogoroutines starts many goroutines that park (each waits on a
// channel with its own id in a local variable), a few that keep every
// thread busy, and then steps a loop in main whose calls run long enough
// for the scheduler to move main's goroutine between threads.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

var sink int

// total sums what the workers add once they are let go.
var total int64

func worker(id int, ready, ended *sync.WaitGroup, done chan struct{}) {
	mine := id * 10
	ready.Done()
	<-done // BP:gopark
	atomic.AddInt64(&total, int64(mine))
	ended.Done()
}

func spin(n int) int {
	s := 0
	for j := 0; j < n; j++ {
		s += j
	}
	return s
}

func main() {
	n := 1000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var ready, ended sync.WaitGroup
	done := make(chan struct{})
	ready.Add(n)
	ended.Add(n)
	for i := 0; i < n; i++ {
		go worker(i, &ready, &ended, done) // BP:gostart
	}
	ready.Wait()
	for i := 0; i < 3; i++ {
		go func() {
			for {
				sink++
			}
		}()
	}
	sum := 0 // BP:goparked
	for i := 0; i < 120; i++ {
		sum += spin(2_000_000) // BP:gospin
		sum %= 1000003
	}
	close(done)
	ended.Wait()
	fmt.Println("sum", sum, "total", atomic.LoadInt64(&total))
}
