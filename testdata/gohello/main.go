// Command gohello is a Go debuggee for the end-to-end tests.
package main

import "fmt"

func add(a, b int) int {
	return a + b // BP:goadd
}

func main() {
	s := 0
	for i := 0; i < 3; i++ {
		s = add(s, i) // BP:goloop
	}
	fmt.Println("sum", s)
}
