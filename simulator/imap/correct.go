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

// CorrectEnvelopeRoute finds, in a server line, an ENVELOPE address whose
// source route rides in its mailbox (routedEnvelope: go-imap writes
// `(NIL NIL "@route:user" "domain")`) and returns the edit that puts the
// route in its own field, `(NIL "@route" "user" "domain")` (RFC 3501
// §7.4.2, addr-adl); ok is false when there is none. Only an address
// field can match: a mailbox that starts with "@" after a NIL route, with
// a name before it that opens the address and a host and ")" after it.
// One route per call: the caller calls again on the corrected line.
func CorrectEnvelopeRoute(line []byte) (start, end int, with []byte, ok bool) {
	const marker = ` NIL "@`
	for from := 0; ; {
		i := bytes.Index(line[from:], []byte(marker))
		if i < 0 {
			return 0, 0, nil, false
		}
		i += from
		from = i + len(marker)
		if !opensAddress(line[:i]) {
			continue
		}
		q := i + len(" NIL ") // the mailbox's opening quote
		closing := quotedEnd(line, q)
		if closing < 0 {
			continue
		}
		mailbox := line[q+1 : closing]
		colon := bytes.LastIndexByte(mailbox, ':')
		if colon < 0 || !closesAddress(line[closing+1:]) {
			continue
		}
		with = make([]byte, 0, len(mailbox)+6)
		with = append(append(append(with, ` "`...), mailbox[:colon]...), `" "`...)
		with = append(append(with, mailbox[colon+1:]...), '"')
		return i, closing + 1, with, true
	}
}

// opensAddress reports whether b ends with "(" and an address's name: NIL
// or a quoted string.
func opensAddress(b []byte) bool {
	if bytes.HasSuffix(b, []byte("(NIL")) {
		return true
	}
	if !bytes.HasSuffix(b, []byte(`"`)) {
		return false
	}
	for k := len(b) - 2; k >= 0; k-- {
		if b[k] == '"' && (k == 0 || b[k-1] != '\\') {
			return k > 0 && b[k-1] == '('
		}
	}
	return false
}

// quotedEnd returns the index of the quote that closes the quoted string
// opening at b[q], or -1.
func quotedEnd(b []byte, q int) int {
	for k := q + 1; k < len(b); k++ {
		switch b[k] {
		case '\\':
			k++
		case '"':
			return k
		case '\r', '\n':
			return -1
		}
	}
	return -1
}

// closesAddress reports whether b starts with an address's host and its
// closing parenthesis: ` "host")` or ` NIL)`.
func closesAddress(b []byte) bool {
	if bytes.HasPrefix(b, []byte(" NIL)")) {
		return true
	}
	if !bytes.HasPrefix(b, []byte(` "`)) {
		return false
	}
	end := quotedEnd(b, 1)
	return end > 0 && end+1 < len(b) && b[end+1] == ')'
}
