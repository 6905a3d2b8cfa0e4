package imap

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// APPEND, with RFC 3502's MULTIAPPEND. go-imap v2.0.0-beta.8 reads one
// message per APPEND: given a second one it has stored the first and then
// fails. Every APPEND is therefore taken by the tap like an extension
// command (Intercepts), gathered whole, literals and all, and checked
// here (parseAppend) before anything is stored:
//   - one message: go-imap runs the command as the client sent it (its
//     literals rewritten non-synchronising: the relay has already sent
//     the client its "+"), so a single APPEND is answered exactly as
//     before, its flags, date, TRYCREATE, OVERQUOTA, APPENDUID and the
//     EXISTS of the selected mailbox included;
//   - several: they are stored here, all or none (store.AppendAll, RFC
//     3502 §6.3.11), and go-imap is handed a NOOP in the command's place,
//     so that its poll tells the client the new EXISTS before the tagged
//     OK, which the Corrector rewrites into the APPEND's
//     "OK [APPENDUID uidvalidity uid-set] APPEND completed" (RFC 4315 §3).
//   - a command that is not well formed is answered BAD here, and nothing
//     of it runs: neither its message bytes nor what follows them.
//
// A synchronising literal is checked before the relay sends its "+"
// (appendEarly): a message over the size limit, or a command already
// malformed, is refused there and the client never sends the bytes.

// appendLimit is the largest message an APPEND takes (go-imap's own
// default, which STATUS's APPENDLIMIT reports), and appendCommandMax the
// most one APPEND command may hold, all its messages together.
const (
	appendLimit      = 100 << 20
	appendCommandMax = 100 << 20
)

// appendMessage is one message of an APPEND.
type appendMessage struct {
	flags   []imap.Flag
	date    string // the date-time as written, "" when none was given
	data    []byte
	literal int // where its literal's "{" is in the command
}

// appendCommandArgs is an APPEND command as parsed by parseAppend.
type appendCommandArgs struct {
	mailbox string // as written (an astring), not yet decoded
	msgs    []appendMessage
	// marks are the literals of the command that go-imap is handed
	// otherwise: a synchronising "{5}" (the relay has sent its "+"), or
	// RFC 7888's "{5-}", which go-imap does not read, become "{5+}".
	marks []literalMark
}

// literalMark is where a literal's announcement ends ("}"), and whether it
// had a "-" before it (else nothing).
type literalMark struct {
	end   int
	minus bool
}

// errAppendPrefix is parseAppend's report, in prefix mode, that the
// command so far is well formed and ends with a literal's announcement.
var errAppendPrefix = errors.New("well formed so far")

// appendReader reads an APPEND's arguments.
type appendReader struct {
	cmdReader
	cmd    *appendCommandArgs
	prefix bool // the command ends with a literal's announcement (appendEarly)
	// pending describes that last literal, in prefix mode: its size and
	// whether it is a message (not the mailbox name).
	pendingSize    int
	pendingMessage bool
}

// literal reads "{N}", "{N+}" or "{N-}", CRLF and the N octets. In prefix
// mode a literal whose octets have not come yet ends the command.
func (r *appendReader) literal(message bool) ([]byte, error) {
	open := r.i
	end := bytes.Index(r.b[r.i:], []byte("}\r\n"))
	if r.peek() != '{' || end < 0 {
		return nil, errSyntax
	}
	n, sync, ok := extLiteralSize(string(r.b[r.i : r.i+end+1]))
	if !ok {
		return nil, errSyntax
	}
	start := r.i + end + 3
	if !message && n > bufferedLiteralMax {
		return nil, errSyntax // go-imap takes no longer one for a name
	}
	if r.prefix && start == len(r.b) {
		r.pendingSize, r.pendingMessage = n, message
		return nil, errAppendPrefix
	}
	if start+n > len(r.b) {
		return nil, errSyntax
	}
	if minus := r.b[open+end-1] == '-'; sync || minus {
		r.cmd.marks = append(r.cmd.marks, literalMark{end: open + end, minus: minus})
	}
	r.i = start + n
	return r.b[start:r.i], nil
}

var errSyntax = errors.New("syntax")

// parseAppend reads an APPEND command after its verb: SP mailbox, then
// one or more messages, each [SP flag-list] [SP date-time] SP followed by
// a literal, a literal8 ("~{N}", RFC 3516) or UTF8 (literal8) (RFC 6855),
// then CRLF (RFC 3502 §6.3.11's grammar). The error is the BAD to answer.
func parseAppend(r *appendReader) *extError {
	if !r.sp() {
		return badf("CLIENTBUG", "APPEND takes a mailbox and a message, e.g. APPEND Drafts (\\Draft) {310} (RFC 9051 §6.3.12)")
	}
	if r.peek() == '{' {
		name, err := r.literal(false)
		if err != nil {
			return appendErr(err)
		}
		r.cmd.mailbox = string(name)
	} else {
		name, ok := r.astring()
		if !ok || r.b[r.i-1] != '"' && strings.ContainsFunc(name, func(c rune) bool { return c <= ' ' || c > '~' || strings.ContainsRune(`(){%*"\`, c) }) {
			return badf("CLIENTBUG", "APPEND takes a mailbox name first, e.g. APPEND Drafts {310} (RFC 9051 §6.3.12)")
		}
		r.cmd.mailbox = name
	}
	for {
		if !r.sp() {
			if len(r.cmd.msgs) == 0 {
				return badf("CLIENTBUG", "APPEND takes a mailbox and a message, e.g. APPEND Drafts (\\Draft) {310} (RFC 9051 §6.3.12)")
			}
			return badf("CLIENTBUG", "Syntax error: an APPEND ends right after its message, with a line end, or goes on with a space and another message (RFC 3502 §6.3.11); nothing was stored")
		}
		var m appendMessage
		if r.special('(') {
			for !r.special(')') {
				if len(m.flags) > 0 && !r.sp() {
					return badf("CLIENTBUG", "APPEND: the flags in the list are separated by single spaces, e.g. (\\Seen $Work) (RFC 9051 §6.3.12)")
				}
				system := r.special('\\')
				name := r.atom()
				if name == "" || strings.ContainsAny(name, "%*]\\") || strings.ContainsFunc(name, func(c rune) bool { return c <= ' ' || c > '~' }) {
					return badf("CLIENTBUG", "APPEND: a flag is an atom such as \\Seen or $Work, in a list such as (\\Seen $Work) (RFC 9051 §6.3.12)")
				}
				if system {
					name = `\` + name
				}
				m.flags = append(m.flags, imap.Flag(name))
			}
			if !r.sp() {
				return badf("CLIENTBUG", "APPEND: a space and the message follow the flag list (RFC 9051 §6.3.12)")
			}
		}
		if r.peek() == '"' {
			date, ok := r.str()
			if !ok || !r.sp() {
				return badf("CLIENTBUG", `APPEND: the date-time is a quoted string such as "02-Mar-2026 10:00:00 +0000", followed by a space and the message (RFC 9051 §6.3.12)`)
			}
			m.date = date
		}
		utf8 := false
		if r.peek() != '{' && r.peek() != '~' {
			if word := r.atom(); !strings.EqualFold(word, "UTF8") || !r.sp() || !r.special('(') || r.peek() != '~' {
				return badf("CLIENTBUG", "APPEND: the message is a literal such as {310}, after the flags and date-time (RFC 9051 §6.3.12)")
			}
			utf8 = true
		}
		r.special('~') // literal8 (RFC 3516): the same octets
		m.literal = r.i
		data, err := r.literal(true)
		if err != nil {
			return appendErr(err)
		}
		if utf8 && !r.special(')') {
			return badf("CLIENTBUG", "APPEND: UTF8 (~{N}...) ends with a parenthesis after the message (RFC 6855 §4)")
		}
		m.data = data
		r.cmd.msgs = append(r.cmd.msgs, m)
		if r.crlf() {
			return nil
		}
	}
}

// appendErr turns a literal's error into the BAD, or the prefix report.
func appendErr(err error) *extError {
	if errors.Is(err, errAppendPrefix) {
		return &extError{typ: "prefix"}
	}
	return badf("CLIENTBUG", "APPEND: a literal is {N} (or {N+}), a line end and N octets (RFC 9051 §4.3)")
}

// appendEarly checks an APPEND that ends, so far, with the announcement
// of a synchronising literal, before the relay answers it with "+": it
// returns the tagged refusal when the command is malformed already or the
// message is over the size limit (the client then sends no literal, RFC
// 9051 §7.1: a NO instead of "+"), "" to let it go on.
func appendEarly(cmd []byte) string {
	r := &appendReader{cmdReader: cmdReader{b: cmd}, cmd: &appendCommandArgs{}, prefix: true}
	tag, verb := commandHead(&r.cmdReader)
	if verb != "APPEND" {
		return ""
	}
	err := parseAppend(r)
	switch {
	case err == nil:
		return "" // not expected: the command is complete
	case err.typ != "prefix":
		return err.tagged(tag)
	case r.pendingMessage && r.pendingSize > appendLimit:
		// go-imap's own refusal, word for word.
		return tag + " NO [TOOBIG] Literals are limited to " + strconv.Itoa(appendLimit) + " bytes for this command\r\n"
	case len(cmd)+r.pendingSize > appendCommandMax:
		return tag + " NO [TOOBIG] One APPEND holds at most " + strconv.Itoa(appendCommandMax>>20) + " MB of messages: send the rest in another APPEND\r\n"
	}
	return ""
}

// appendAnswer is what the server does with a complete APPEND.
type appendAnswer struct {
	reply   []byte // the tagged refusal, when there is one
	library []byte // what go-imap runs instead (the APPEND itself, or a NOOP)
	okLine  []byte // the tagged OK to put in place of go-imap's NOOP answer
}

// appendCommand answers a complete APPEND (tag and r past its verb).
func (s *session) appendCommand(r *appendReader, tag string) appendAnswer {
	if err := parseAppend(r); err != nil {
		return appendAnswer{reply: []byte(err.tagged(tag))}
	}
	cmd := r.cmd
	// What go-imap would refuse before the message (a date-time or a
	// mailbox name it cannot read) is refused here: go-imap would then
	// read the message's bytes as commands.
	name, dates, err := cmd.decode()
	if err != nil {
		return appendAnswer{reply: []byte(err.tagged(tag))}
	}
	if len(cmd.msgs) == 1 {
		// go-imap's own APPEND, as the client sent it: no "+" from it.
		lib := make([]byte, 0, len(r.b)+len(cmd.marks))
		last := 0
		for _, m := range cmd.marks {
			to := m.end
			if m.minus {
				to-- // "-" becomes "+"
			}
			lib = append(append(lib, r.b[last:to]...), '+')
			last = m.end
		}
		return appendAnswer{library: append(lib, r.b[last:]...)}
	}
	if s.user == nil {
		// go-imap's words for a command before login.
		return appendAnswer{reply: []byte(tag + " BAD [CLIENTBUG] This command is only valid in the authenticated state\r\n")}
	}
	uidValidity, uids, err := s.multiAppend(cmd, name, dates)
	if err != nil {
		return appendAnswer{reply: []byte(err.tagged(tag))}
	}
	var set imap.UIDSet
	for _, uid := range uids {
		set.AddNum(imap.UID(uid))
	}
	ok := tag + " OK [APPENDUID " + strconv.FormatUint(uint64(uidValidity), 10) + " " + set.String() + "] APPEND completed\r\n"
	return appendAnswer{library: []byte(tag + " NOOP\r\n"), okLine: []byte(ok)}
}

// dateTimeLayout is IMAP's date-time (RFC 9051 §9), as go-imap reads it.
const dateTimeLayout = "_2-Jan-2006 15:04:05 -0700"

// errAppendArgs is the BAD for a date-time or a mailbox name go-imap
// cannot read, in the words of its corrected reply (parseFailureReply).
var errAppendArgs = badf("CLIENTBUG", `Syntax error: a date-time not written like "02-Mar-2026 10:00:00 +0000", or a mailbox name that is not valid modified UTF-7 (RFC 9051 §6.3.12, §5.1.3)`)

// decode returns the mailbox name, decoded as go-imap decodes it, and the
// messages' dates (zero where none was given).
func (cmd *appendCommandArgs) decode() (string, []time.Time, *extError) {
	name := cmd.mailbox
	if strings.EqualFold(name, "INBOX") {
		name = "INBOX"
	} else if decoded, ok := decodeMUTF7(name); ok {
		name = decoded
	} else {
		return "", nil, errAppendArgs
	}
	dates := make([]time.Time, len(cmd.msgs))
	for i, m := range cmd.msgs {
		if m.date == "" {
			continue
		}
		var err error
		if dates[i], err = time.Parse(dateTimeLayout, m.date); err != nil {
			return "", nil, errAppendArgs
		}
	}
	return name, dates, nil
}

// multiAppend stores the messages of a MULTIAPPEND, all or none.
func (s *session) multiAppend(cmd *appendCommandArgs, name string, dates []time.Time) (uint32, []uint32, *extError) {
	msgs := make([]store.NewMessage, len(cmd.msgs))
	for i, m := range cmd.msgs {
		if err := checkClientFlags(m.flags); err != nil {
			return 0, nil, asExtError(err)
		}
		date := dates[i]
		var flags []string
		for _, f := range m.flags {
			flags = append(flags, string(f))
		}
		msgs[i] = store.NewMessage{Raw: m.data, Flags: flags, Date: date}
	}
	mb, err := s.destination(name)
	if err != nil {
		return 0, nil, asExtError(err)
	}
	uids, err := mb.AppendAll(msgs, s.sel.trackerOrNil())
	switch {
	case errors.Is(err, store.ErrOverQuota) || errors.Is(err, store.ErrStoreFull):
		return 0, nil, asExtError(storeErr(err))
	case err != nil:
		return 0, nil, asExtError(errTryMbox)
	}
	return mb.UIDValidity(), uids, nil
}

// asExtError is an imap.Error as the tagged reply of an extension.
func asExtError(err error) *extError {
	var e *imap.Error
	if errors.As(err, &e) {
		return &extError{typ: string(e.Type), code: string(e.Code), text: e.Text}
	}
	return nof("SERVERBUG", err.Error())
}

// decodeMUTF7 decodes a mailbox name written in modified UTF-7 (RFC 9051
// §5.1.3), as go-imap does for the names it reads.
func decodeMUTF7(s string) (string, bool) {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return "", false
		}
		if c != '&' {
			out.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '-')
		if end < 0 {
			return "", false
		}
		if end == 1 {
			out.WriteByte('&')
			i++
			continue
		}
		if validRun([]byte(s[i:])) != end+1 {
			return "", false
		}
		b, _ := mutf7.DecodeString(s[i+1 : i+end])
		units := make([]uint16, len(b)/2)
		for k := range units {
			units[k] = uint16(b[2*k])<<8 | uint16(b[2*k+1])
		}
		out.WriteString(string(utf16.Decode(units)))
		i += end
	}
	return out.String(), true
}
