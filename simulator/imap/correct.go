package imap

import (
	"bytes"
	"encoding/base64"
	"unicode/utf16"

	"github.com/emersion/go-imap/v2"
)

// This file holds the corrections to go-imap that need the relay in front
// of the server (the Corrector calls them, corrector.go): lines go-imap would refuse
// or answer wrongly, rewritten on their way.

// mutf7 is modified base64 (RFC 3501 §5.1.3): "," for "/", no padding.
var mutf7 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding)

// EscapeStrayAmpersands rewrites a LIST or LSUB command line so that
// every "&" that does not start a valid modified UTF-7 run becomes "&-",
// a plain ampersand; it returns nil when the line needs no change.
//
// LIST's grammar takes such a pattern (RFC 9051 §9, list-char: LIST ""
// !#$&'+,-.0123456789:;<=>?@^_`|[}%* is a valid command), but go-imap
// decodes every pattern as modified UTF-7 before the session sees it and
// answers an internal error when one does not decode. Dovecot matches a
// pattern that does not decode as the text it is, which is what the
// rewritten pattern does: "R&D*" lists the mailbox "R&D" (written R&-D).
// Only LIST and LSUB lines are given: elsewhere an "&" may be message text.
func EscapeStrayAmpersands(line []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(line); i++ {
		if line[i] != '&' {
			continue
		}
		end := validRun(line[i:])
		if end > 0 {
			i += end - 1
			continue
		}
		out = append(append(out, line[last:i+1]...), '-')
		last = i + 1
	}
	if out == nil {
		return nil
	}
	return append(out, line[last:]...)
}

// validRun returns the length of the modified UTF-7 run that starts at
// s[0] == '&' ("&-" or "&" base64 "-"), or 0 when it is not valid: the
// base64 must hold whole UTF-16 characters, none of them printable ASCII
// (which must stand for itself), as go-imap's decoder requires.
func validRun(s []byte) int {
	end := 1
	for end < len(s) && s[end] != '-' {
		c := s[end]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == ',') {
			return 0
		}
		end++
	}
	if end == len(s) {
		return 0 // no closing "-"
	}
	if end == 1 {
		return 2 // "&-"
	}
	b, err := mutf7.DecodeString(string(s[1:end]))
	if err != nil || len(b) == 0 || len(b)%2 != 0 {
		return 0
	}
	for k := 0; k < len(b); k += 2 {
		u := rune(b[k])<<8 | rune(b[k+1])
		switch {
		case 0x20 <= u && u <= 0x7e:
			return 0
		case utf16.IsSurrogate(u):
			k += 2
			if k >= len(b) || utf16.DecodeRune(u, rune(b[k])<<8|rune(b[k+1])) == 0xfffd {
				return 0 // not a surrogate pair
			}
		}
	}
	return end + 1
}

// A partial BINARY fetch (BINARY.PEEK[1]<0.40>) must be answered
// BINARY[1]<0> (RFC 3516 §4.2, "the origin octet"), but go-imap writes
// BINARY[1] whatever the partial: its encoder has no origin for BINARY (it
// has one for BODY). The session hands it a section path that names the
// origin instead, the part's numbers followed by 0 and the origin
// (binaryOriginMarked), and CorrectBinaryOrigin turns that into the
// origin on the way out. No real section path contains a 0 (parts are
// numbered from 1), so the marker is unambiguous.
func binaryOriginMarked(sec *imap.FetchItemBinarySection) *imap.FetchItemBinarySection {
	marked := *sec
	marked.Part = append(append(append([]int(nil), sec.Part...), 0), int(sec.Partial.Offset))
	return &marked
}

// CorrectBinaryOrigin finds, in a server line that ends by announcing a
// literal, a BINARY item whose section carries binaryOriginMarked's marker
// ("BINARY[1.0.40] ~{7}"), and returns where in line the correction goes
// and what replaces line[start:end] ("]<40>" for ".0.40]"). ok is false
// for every other line.
func CorrectBinaryOrigin(line []byte) (start, end int, with []byte, ok bool) {
	if !bytes.HasSuffix(line, []byte("}\r\n")) {
		return 0, 0, nil, false
	}
	item := bytes.LastIndex(line, []byte("BINARY["))
	if item < 0 {
		return 0, 0, nil, false
	}
	close := bytes.Index(line[item:], []byte("] ~{"))
	if close < 0 {
		return 0, 0, nil, false
	}
	close += item
	path := line[item+len("BINARY[") : close]
	dot := bytes.LastIndexByte(path, '.')
	if dot < 0 {
		return 0, 0, nil, false
	}
	origin := path[dot+1:]
	rest := path[:dot]
	var zero int // where ".0" or "0" starts in path
	switch {
	case bytes.HasSuffix(rest, []byte(".0")):
		zero = len(rest) - 2
	case string(rest) == "0": // BINARY[]<n>: the whole message
		zero = 0
	default:
		return 0, 0, nil, false
	}
	for _, c := range origin {
		if c < '0' || c > '9' {
			return 0, 0, nil, false
		}
	}
	start = item + len("BINARY[") + zero
	with = append(append([]byte("]<"), origin...), '>')
	return start, close + 1, with, true
}
