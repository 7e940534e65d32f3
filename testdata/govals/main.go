// Command govals is a Go debuggee for the end-to-end tests of Go values:
// strings, slices, arrays, maps (small and with several tables),
// interfaces, errors, channels and nested structs.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

type Point struct {
	X, Y int
}

type Shape struct {
	Name   string
	Origin Point
	Tags   []string
	Next   *Shape
}

// Stringer gives the interface tests a non-empty interface.
type Stringer interface {
	String() string
}

func (p Point) String() string { return fmt.Sprintf("(%d,%d)", p.X, p.Y) }

// Counts and IDs are named map and slice types.
type Counts map[string]int

type IDs []int

type Big struct {
	A [40]int // larger than 128 bytes: a map stores it indirectly
}

// counter and watched are package-level variables, named by their short
// name inside the package and as main.counter anywhere.
var (
	counter = 7
	watched int64
)

func inspect(sh *Shape, n int) int {
	total := n + sh.Origin.X + counter // BP:inspect
	watched += int64(total)
	return total
}

func main() {
	str := "hello, world"
	empty := ""
	long := strings.Repeat("abcdefghij", 300)
	ints := make([]int, 5, 8)
	for i := range ints {
		ints[i] = i + 1
	}
	var nilSlice []int
	words := []string{"alpha", "beta", "gamma"}
	arr := [3]int{7, 8, 9}
	small := map[string]int{"a": 1, "b": 2, "c": 3}
	big := make(map[int]int)
	for i := 0; i < 2000; i++ {
		big[i] = i * i
	}
	var nilMap map[string]int
	bigVals := map[int]Big{1: {A: [40]int{0: 11}}}
	var any1 interface{} = 42
	var any2 any = "text"
	var anyPt any = Point{X: 1, Y: 2}
	var anyNil any
	var st Stringer = &Point{X: 5, Y: 6}
	err := errors.New("boom")
	var nilErr error
	_, pathErr := os.Open("/nonexistent/file")
	ch := make(chan int, 5)
	ch <- 10
	ch <- 20
	var nilCh chan string
	sh := &Shape{Name: "square", Origin: Point{X: 3, Y: 4}, Tags: []string{"red", "big"}}
	sh.Next = &Shape{Name: "inner"}
	shapes := []Shape{*sh, {Name: "circle"}}
	ptrs := map[string]*Point{"p": {X: 9, Y: 9}}
	r := 'é'
	b := byte('z')
	f := 2.5
	var u8s = []byte("bytes")
	counts := Counts{"x": 24}
	ids := IDs{4, 2}
	fmt.Println(str, empty, len(long), ints, nilSlice, words, arr, len(small), len(big), nilMap, bigVals[1].A[0], any1, any2, anyPt, anyNil, st, err, nilErr, pathErr != nil, len(ch), nilCh, sh.Name, len(shapes), ptrs["p"].X, r, b, f, u8s, counts, ids) // BP:values
	fmt.Println(inspect(sh, len(ints)))
}
