package session

import (
	"bytes"
	"encoding/base64"
	"math/rand"
	"testing"
)

func TestAppendBase64(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 300; n++ {
		src := make([]byte, n)
		r.Read(src)
		want := base64.StdEncoding.AppendEncode([]byte("x"), src)
		if got := appendBase64([]byte("x"), src); !bytes.Equal(got, want) {
			t.Fatalf("len %d: %q, want %q", n, got, want)
		}
	}
}

func BenchmarkAppendBase64(b *testing.B) {
	src := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(src)
	dst := make([]byte, 0, 2<<20)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		appendBase64(dst[:0], src)
	}
}

func BenchmarkStdBase64(b *testing.B) {
	src := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(src)
	dst := make([]byte, 0, 2<<20)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		base64.StdEncoding.AppendEncode(dst[:0], src)
	}
}
