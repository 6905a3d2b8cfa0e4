package linedot

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzIndexAgreesWithBytesIndex(f *testing.F) {
	for _, seed := range []string{"", ".", "\n.", "a\n.b", ".\n.", "a.b.c.d.e.f.g.h.i.j\n.k", strings.Repeat("x.", 20) + "\n.",
		strings.Repeat("a sparse line with one dot.\r\n", 30) + "\n.", strings.Repeat("sparse dot. ", 20) + strings.Repeat("x.", 40) + "\n."} {
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

// deliveredBody is what POP3 RETR serves most often: a message as the
// simulator stores it, whose first lines are full of dots (host names, an
// IP address, a Message-ID) and whose text has none.
var deliveredBody = []byte("Return-Path: <bench@example.com>\r\n" +
	"Received: from bench.local ([127.0.0.1])\r\n\tby mx.example.com with ESMTP id 00000009\r\n" +
	"\tfor <p1@example.com>; Thu, 26 Nov 2026 04:20:25 +0000\r\n" +
	"From: Bench <bench@example.com>\r\nTo: <p1@example.com>\r\nSubject: bench message 8\r\n" +
	"Date: Thu, 26 Nov 2026 04:20:25 +0000\r\nMessage-ID: <1795666825229731644.0.8@bench.local>\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" +
	strings.Repeat("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\r\n", 25))

func BenchmarkIndexDelivered(b *testing.B) {
	for b.Loop() {
		sink += Index(deliveredBody)
	}
}

func BenchmarkBytesIndexDelivered(b *testing.B) {
	for b.Loop() {
		sink += bytes.Index(deliveredBody, []byte("\n."))
	}
}
