// Command gomigrate steps out of a function that runs long enough for Go's
// scheduler to preempt it (every 10 ms) and resume it on whichever thread
// comes next, while other goroutines keep every thread busy.
package main

import "fmt"

var sink int

func work(n int) int {
	for j := 0; j < 20_000_000; j++ { // BP:gowork
		sink += j
	}
	return n * 2
}

func main() {
	for i := 0; i < 3; i++ {
		go func() {
			for {
				sink++
			}
		}()
	}
	s := 0
	for i := 0; i < 10; i++ {
		s += work(i) // BP:gocall
	}
	fmt.Println("sum", s)
}
