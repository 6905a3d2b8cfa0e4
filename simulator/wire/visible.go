package wire

import "unicode/utf8"

// Terminal safety. Every string that came from a client, a server, a log, a
// transcript or a lesson file passes through Visible (or VisibleLines, or
// AppendVisible: one escaper behind all three) before it reaches a
// terminal, an export or a page. A raw ESC starts an escape sequence (OSC 52
// writes the clipboard, OSC 0 the window title, CSI 2J clears the screen),
// BEL rings, C1 bytes are the same sequences in one byte on some
// terminals, and bidi controls reorder what follows (U+202E shows "gpj.exe"
// as "exe.jpg"). All of them become visible marks instead:
//
//	\t \n \r            tab, line feed, carriage return (tab and line feed
//	                    are kept as they are by VisibleLines)
//	\x00 … \x1f, \x7f   the other C0 controls and DEL
//	\xNN                a byte that is not part of valid UTF-8
//	\u0080 … \u009f     C1 controls written as UTF-8
//	\u202e …            bidi controls: U+061C, U+200E, U+200F,
//	                    U+202A–U+202E, U+2066–U+2069
//
// Everything else, printable ASCII and valid UTF-8 text in any script, is
// kept. It lives here, in the leaf every other package may import, so that
// there is one escaper for all of them.

// Visible returns s with every control character, bidi control and invalid
// byte shown as an escape: the form for one line of output. A string with
// nothing to escape is returned as it is, without copying.
func Visible(s string) string {
	if visibleAlready(s, false) {
		return s
	}
	return string(appendVisible(make([]byte, 0, len(s)+16), s, false))
}

// VisibleLines is Visible for text of several lines (an explanation, a
// lesson's prose): line feeds and tabs are kept, a carriage return and
// every other control is escaped.
func VisibleLines(s string) string {
	if visibleAlready(s, true) {
		return s
	}
	return string(appendVisible(make([]byte, 0, len(s)+16), s, true))
}

// AppendVisible appends b, escaped as Visible escapes it, to dst: for
// callers that reuse a buffer on a hot path (the annotators).
//
// It and VisibleBytes are kept out of line: inlined into another package,
// the call to the generic escaper made the compiler assume b escapes, and
// every []byte(s) a caller built for the call went to the heap (an eighth
// more allocations per annotated line).
//
//go:noinline
func AppendVisible(dst, b []byte) []byte {
	return appendVisible(dst, b, false)
}

// VisibleBytes reports whether b needs no escaping for one line of output.
//
//go:noinline
func VisibleBytes(b []byte) bool { return visibleAlready(b, false) }

// visibleAlready reports whether s holds nothing Visible (keepLines false)
// or VisibleLines (true) would change. Printable ASCII is checked byte by
// byte; only text with bytes over 0x7f is decoded.
func visibleAlready[T string | []byte](s T, keepLines bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < 0x80 {
			if keepLines && (c == '\n' || c == '\t') {
				i++
				continue
			}
			return false
		}
		r, size := decodeRune(s[i:])
		if r == utf8.RuneError && size <= 1 || mustEscape(r) {
			return false
		}
		i += size
	}
	return true
}

// appendVisible is the one escaper.
func appendVisible[T string | []byte](out []byte, s T, keepLines bool) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			out = append(out, c)
			i++
			continue
		case c == '\n' || c == '\t':
			if keepLines {
				out = append(out, c)
			} else if c == '\n' {
				out = append(out, `\n`...)
			} else {
				out = append(out, `\t`...)
			}
			i++
			continue
		case c == '\r':
			out = append(out, `\r`...)
			i++
			continue
		case c < 0x80:
			out = append(out, '\\', 'x', hex[c>>4], hex[c&15])
			i++
			continue
		}
		r, size := decodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			out = append(out, '\\', 'x', hex[c>>4], hex[c&15])
		case mustEscape(r):
			out = append(out, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		default:
			out = append(out, s[i:i+size]...)
		}
		i += size
	}
	return out
}

// mustEscape reports the runes over 0x7f that a terminal would obey rather
// than show: C1 controls and the bidi controls.
func mustEscape(r rune) bool {
	switch {
	case r >= 0x80 && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// decodeRune is utf8.DecodeRune for both strings and byte slices.
func decodeRune[T string | []byte](s T) (rune, int) {
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	return utf8.RuneError, 1
}
