// Command goprog is a test program for package symbols; markers of the
// form LINE:name mark lines the tests look up.
package main

import "fmt"

func add(a, b int) int {
	return a + b // LINE:add
}

func main() {
	total := 0 // LINE:first
	for i := 0; i < 3; i++ {
		total = add(total, i)
	}
	fmt.Println(total) // LINE:print
}
