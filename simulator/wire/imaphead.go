package wire

import (
	"bytes"
	"strings"
)

// IMAPCommandHead checks the start of an IMAP command line the way go-imap's
// server reads it before it looks at any argument: a tag of atom
// characters, one space, a command name of atom characters, and after UID a
// space and a second name (RFC 9051 §9: command, tag). go-imap hangs up
// without a word on a line that fails here, so the simulator answers such a
// line itself. tag is what was read as the tag ("" if not even that), so a
// refusal can be tagged; ok reports whether the head is well formed.
func IMAPCommandHead(line []byte) (tag string, ok bool) {
	n := atomLen(line)
	if n == 0 {
		return "", false
	}
	tag = string(line[:n])
	if strings.IndexByte(tag, '+') >= 0 {
		// tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051 §9): "+" is
		// how the server asks for more, so no command may be named so.
		return tag, false
	}
	rest, ok := imapSP(line[n:])
	if !ok {
		return tag, false
	}
	m := atomLen(rest)
	if m == 0 {
		return tag, false
	}
	if bytes.EqualFold(rest[:m], []byte("UID")) {
		rest, ok = imapSP(rest[m:])
		if !ok || atomLen(rest) == 0 {
			return tag, false
		}
	}
	return tag, true
}

// IMAPHeadProblem says why a line cannot start an IMAP command, so that
// the relay's refusal and the annotator's note tell the same story.
type IMAPHeadProblem int

const (
	IMAPHeadOK        IMAPHeadProblem = iota // a tag, a space, a command name
	IMAPHeadBlank                            // nothing but blanks
	IMAPHeadNoTag                            // the line does not start with a tag
	IMAPHeadOneWord                          // a single word: a command without a tag, or a tag without a command
	IMAPHeadSpaces                           // more than one space after the tag
	IMAPHeadUIDAlone                         // UID without the command it qualifies
	IMAPHeadNoCommand                        // something other than a command name after the tag
	IMAPHeadPlusInTag                        // a tag holding "+", which the grammar forbids
)

// IMAPHeadOf is IMAPCommandHead with the reason a head is not well formed.
func IMAPHeadOf(line []byte) (tag string, problem IMAPHeadProblem) {
	tag, ok := IMAPCommandHead(line)
	if ok {
		return tag, IMAPHeadOK
	}
	text := strings.TrimRight(string(line), "\r\n")
	words := strings.Fields(text)
	switch {
	case len(words) == 0:
		return tag, IMAPHeadBlank
	case tag == "":
		return tag, IMAPHeadNoTag
	case strings.IndexByte(tag, '+') >= 0:
		return tag, IMAPHeadPlusInTag
	case len(words) == 1:
		return tag, IMAPHeadOneWord
	case strings.HasPrefix(text[len(tag):], "  "):
		return tag, IMAPHeadSpaces
	case strings.EqualFold(words[1], "UID"):
		return tag, IMAPHeadUIDAlone
	}
	return tag, IMAPHeadNoCommand
}

// atomLen is the length of the run of atom characters that starts b.
func atomLen(b []byte) int {
	n := 0
	for n < len(b) && isAtomChar(b[n]) {
		n++
	}
	return n
}

// isAtomChar: any character but the atom-specials of RFC 9051 §9 (and, as
// go-imap reads it, not "]" either), where controls include DEL and the C1
// range 0x80-0x9F.
func isAtomChar(c byte) bool {
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return false
	}
	return c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f)
}

// imapSP reads the space between two words as go-imap does: a space not
// followed by the end of the line, or none at all before a "(".
func imapSP(b []byte) ([]byte, bool) {
	if len(b) > 0 && b[0] == ' ' {
		return b[1:], len(b) > 1 && b[1] != '\r' && b[1] != '\n'
	}
	return b, len(b) > 0 && b[0] == '('
}

// IMAPQuoteOpen reports whether a command line ends inside a quoted string
// (RFC 9051 §4.3: a quoted string is one line; a backslash escapes the next
// character). go-imap's reader does not stop at the line end there: it
// reads the client's next lines as part of the string, and the session
// hangs, so the simulator refuses such a line itself.
func IMAPQuoteOpen(line []byte) bool {
	in := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\r' || c == '\n':
			return in
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		}
	}
	return in
}
