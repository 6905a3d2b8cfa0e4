package linedot

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzIndexAgreesWithBytesIndex(f *testing.F) {
	for _, seed := range []string{"", ".", "\n.", "a\n.b", ".\n.", "a.b.c.d.e.f.g.h.i.j\n.k", strings.Repeat("x.", 20) + "\n."} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Index(b), bytes.Index(b, []byte("\n.")); got != want {
			t.Fatalf("Index(%q) = %d, want %d", b, got, want)
		}
	})
}

var (
	// Base64 has no dots; prose has one in most lines.
	base64Body = []byte(strings.Repeat("SGVsbG8gQm9iLCBoZXJlIGlzIHRoZSByZXBvcnQgeW91IGFza2VkIGZvci4gUmVnYXJkcywgQWxp\r\n", 27))
	proseBody  = []byte(strings.Repeat("This is a sentence. Another one here, with words.\r\nAnd a line. More.\r\n", 30))
	sink       int
)

func BenchmarkIndexBase64(b *testing.B) {
	for b.Loop() {
		sink += Index(base64Body)
	}
}

func BenchmarkIndexProse(b *testing.B) {
	for b.Loop() {
		sink += Index(proseBody)
	}
}

func BenchmarkBytesIndexBase64(b *testing.B) {
	for b.Loop() {
		sink += bytes.Index(base64Body, []byte("\n."))
	}
}

func BenchmarkBytesIndexProse(b *testing.B) {
	for b.Loop() {
		sink += bytes.Index(proseBody, []byte("\n."))
	}
}
