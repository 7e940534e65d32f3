// Command gopanic panics: a recovered panic first (no stop), then one that
// is not recovered; with the argument "deadlock" it dies of a fatal error
// instead.
package main

import (
	"fmt"
	"os"
)

func safe() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	panic("caught")
}

func crash(n int) {
	panic(fmt.Sprintf("bad value %d", n)) // BP:panic
}

func main() {
	fmt.Println(safe())
	if len(os.Args) > 1 && os.Args[1] == "deadlock" {
		select {} // BP:deadlock
	}
	crash(42)
}
