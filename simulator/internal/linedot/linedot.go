// Package linedot finds lines that start with a dot: the lines that SMTP
// DATA and POP3 multi-line responses dot-stuff, and the "." line that ends
// them (RFC 5321 §4.5.2, RFC 1939 §3).
package linedot

import "bytes"

const (
	// freeHits is how many dots inside lines Index skips before it starts
	// asking whether dots are too dense for looking at each one to pay.
	// A delivered message's first lines alone hold about that many
	// (Return-Path, Received: host names, an IP address, a Message-ID).
	freeHits = 16
	// denseGap is the mean distance between dots, in bytes, below which
	// Index searches for "\n." instead: one call per dot costs about as
	// much as scanning that many bytes for the pair.
	denseGap = 24
)

// Index returns the index of the first LF in b that is followed by a '.',
// or -1.
//
// Dots are rare in much of what mail carries (base64 has none, and after
// its header lines a typical message has few), so Index looks for dots
// first, one vectorised pass, and checks the byte before each. Text with a
// dot every few bytes would make that one call per dot; once dots are that
// dense, Index searches for the two bytes together instead, which costs the
// same whatever the text.
func Index(b []byte) int {
	i := 0
	for hits := 0; hits < freeHits || hits*denseGap < i; hits++ {
		j := bytes.IndexByte(b[i:], '.')
		if j < 0 {
			return -1
		}
		i += j
		if i > 0 && b[i-1] == '\n' {
			return i - 1
		}
		i++
	}
	// b[i-1] is a dot, so a match cannot start before i.
	if k := bytes.Index(b[i:], []byte("\n.")); k >= 0 {
		return i + k
	}
	return -1
}
