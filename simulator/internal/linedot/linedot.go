// Package linedot finds lines that start with a dot: the lines that SMTP
// DATA and POP3 multi-line responses dot-stuff, and the "." line that ends
// them (RFC 5321 §4.5.2, RFC 1939 §3).
package linedot

import "bytes"

// falseHits is how many dots that do not start a line Index skips before it
// searches for the two bytes together instead.
const falseHits = 8

// Index returns the index of the first LF in b that is followed by a '.',
// or -1.
//
// Dots are rare in much of what mail carries (base64 has none), so Index
// looks for dots first, one vectorised pass, and checks the byte before
// each. Prose has a dot in most lines; after a few dots inside lines it
// searches for "\n." instead, which costs the same whatever the text.
func Index(b []byte) int {
	i := 0
	for hits := 0; hits < falseHits; hits++ {
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
