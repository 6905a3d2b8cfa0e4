package imap

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Corrector holds this package's corrections to go-imap's conversation for
// one connection: where go-imap answers differently from the RFCs, answers
// nothing, or would be thrown off by a malformed line, the simulator's tap
// (simulator/tap) asks the Corrector what to say or hand on instead, on the
// plaintext it sees (it implements tap.Corrector). It also answers, through
// the tap, the extension commands go-imap does not dispatch (tap.Extender:
// Intercepts, Answer; see ext.go).
//
// Every correction names go-imap's behaviour and the rule it follows
// instead.
type Corrector struct {
	srv  *Server  // nil: no extension commands are answered
	conn net.Conn // the connection go-imap is handed, by which Extension finds the session

	// saveOnly holds the tags of SEARCH commands whose only return option
	// is SAVE, until their tagged reply (see silentSave); both sides use
	// it, under mu. saveOnlyAny is len(saveOnly) > 0, read without the
	// lock on every server line.
	mu          sync.Mutex
	saveOnly    map[string]bool
	saveOnlyAny atomic.Bool

	// saidBye: go-imap has said BYE (see Farewell).
	saidBye atomic.Bool

	// okLines are the tagged OKs of MULTIAPPENDs, in the order go-imap
	// was handed their NOOPs (Answer), each to replace go-imap's answer to
	// its NOOP (Reply); under mu. okLinesAny is len(okLines) > 0, read
	// without the lock on every server line.
	okLines    []taggedLine
	okLinesAny atomic.Bool
}

// taggedLine is a tagged reply to put in place of go-imap's.
type taggedLine struct {
	tag  string
	line []byte
}

// Corrector returns the corrections for the connection conn, which the
// caller hands to this server's listener (or wraps in the TLS go-imap
// terminates): its extension commands are answered with the session
// go-imap runs over conn.
func (s *Server) Corrector(conn net.Conn) *Corrector {
	return &Corrector{srv: s, conn: conn}
}

// MaxLine is the longest IMAP command line handed to go-imap, with its
// CRLF (literals are not counted). RFC 7162 §4 asks servers to take at
// least 8192 octets; Dovecot stops at 64 KB.
const MaxLine = 32 * 1024

// LineLimit is MaxLine.
func (c *Corrector) LineLimit() int { return MaxLine }

// TooLong answers a command line over MaxLine, which never reaches go-imap:
// it would answer and then hang up at the client's next line, where RFC 9051
// §7.1.5 wants an error and a session that goes on. head is how the line
// started.
func (c *Corrector) TooLong(head string) string {
	tag := "*"
	if t, problem := wire.IMAPHeadOf([]byte(head)); t != "" && problem != wire.IMAPHeadOneWord {
		tag = t // a tag followed by more: the line's command, too long to read
	}
	return tag + " BAD [LIMIT] Command line too long: this server reads command lines of up to 32 KB, literals aside\r\n"
}

// WholeLines: go-imap's lines go out as it wrote them (a FETCH of a large
// message is mostly literal); few are corrected.
func (c *Corrector) WholeLines() bool { return false }

// Command answers, in front of go-imap, the client lines it would
// mishandle (refuseIMAP), and rewrites the lines it would refuse
// although the RFCs require them accepted:
//   - "done" ending an IDLE: IMAP's keywords are case-insensitive, DONE too
//     (RFC 2177 §3's ABNF, RFC 5234 §2.3); go-imap takes only "DONE" and
//     answers "done" with BAD.
//   - a LIST or LSUB pattern with an "&" that starts no modified UTF-7 run
//     (EscapeStrayAmpersands).
//
// It notes SEARCH commands whose only return option is SAVE (noteSaveOnly).
func (c *Corrector) Command(p wire.Piece) (reply string, hangUp bool, line []byte) {
	if p.Continues {
		if p.Verb == "IDLE" {
			if text := wire.TrimEOL(p.Data); strings.EqualFold(string(text), "DONE") && string(text) != "DONE" {
				return "", false, []byte("DONE\r\n")
			}
		}
		return "", false, nil
	}
	if p.Dir != wire.FromClient {
		return "", false, nil
	}
	if reply := refuseIMAP(p); reply != "" {
		return reply, false, nil
	}
	switch p.Verb {
	case "SEARCH", "UID SEARCH":
		c.noteSaveOnly(p.Data)
	case "LIST", "LSUB":
		return "", false, EscapeStrayAmpersands(p.Data)
	}
	return "", false, nil
}

// Reply corrects a line go-imap wrote:
//   - "+ =", its AUTHENTICATE prompt with an empty challenge: "=" is
//     SASL-IR's sign for an empty *initial response* (RFC 4959), not
//     base64, and a strict client decoding every challenge fails on it.
//     RFC 9051 §6.2.2 sends the empty base64 string, "+ " alone.
//   - its internal-error answer to an argument its parser rejects
//     (parseFailureReply).
//   - the origin of a partial BINARY fetch (CorrectBinaryOrigin).
//   - an ENVELOPE address's source route (CorrectEnvelopeRoute).
//   - a capability list without the extensions answered here
//     (ExtendCapabilities).
//   - the ESEARCH response to a SAVE-only SEARCH, which is left out
//     (silentSave).
//
// It notes a BYE (Farewell).
func (c *Corrector) Reply(p wire.Piece) ([]byte, bool) {
	line, ok := p.Data, p.OK
	fixed := false
	if string(line) == emptySASLChallenge {
		line, fixed = []byte("+ \r\n"), true
	}
	if p.Answers != "" && !ok {
		if f := parseFailureReply(line, p.Answers); f != nil {
			line, fixed = f, true
			ok = bytes.Contains(f, []byte(" OK "+p.Answers+" completed"))
		}
	}
	if start, end, with, found := CorrectBinaryOrigin(line); found {
		line = append(append(append([]byte(nil), line[:start]...), with...), line[end:]...)
		fixed = true
	}
	for n := 0; n < 64; n++ { // an envelope has few addresses: bounded all the same
		start, end, with, found := CorrectEnvelopeRoute(line)
		if !found {
			break
		}
		line = append(append(append([]byte(nil), line[:start]...), with...), line[end:]...)
		fixed = true
	}
	if len(line) >= 12 && (line[0] == '*' || p.Answers != "") {
		if f := ExtendCapabilities(line); f != nil {
			line, fixed = f, true
		}
	}
	if p.Answers != "" && c.okLinesAny.Load() {
		if f := c.multiappendOK(p.Tag, line); f != nil {
			line, fixed, ok = f, true, true
		}
	}
	if c.silentSave(p.Answers, line) {
		return []byte{}, ok // nobody sees it: not the client, not the tap
	}
	if bytes.HasPrefix(line, []byte("* BYE")) {
		c.saidBye.Store(true)
	}
	if !fixed {
		return nil, ok
	}
	return line, ok
}

// Farewell tells a client why the server is hanging up, when go-imap did
// not: it closes the connection without a word when it cannot read a
// command line at all (a line of 10 KB of garbage, a 1 MB line) or the
// client stayed idle too long; RFC 9051 §7.1.5 has the server send BYE
// first, and a learner should see why the line went dead.
func (c *Corrector) Farewell() string {
	if c.saidBye.Load() {
		return ""
	}
	return "* BYE Closing the connection: the last line could not be read as a command (too long, or not a command at all), or the client was idle too long\r\n"
}

// Intercepts reports whether a client line starts an extension command
// answered here (see ext.go), not by go-imap.
func (c *Corrector) Intercepts(p wire.Piece) bool {
	return c.srv != nil && Intercepts(p.Verb, p.Data)
}

// extensionMax bounds what one extension command other than APPEND may
// hold (search strings in literals included): SORT and THREAD keys are
// short.
const extensionMax = 1 << 20

// MaxCommand is the most an extension command may hold: APPEND's
// messages, or extensionMax.
func (c *Corrector) MaxCommand(verb string) int {
	if verb == "APPEND" {
		return appendCommandMax
	}
	return extensionMax
}

// Early refuses an APPEND at a synchronising literal, before "+", when it
// is malformed already or its message is too big (appendEarly).
func (c *Corrector) Early(cmd []byte) string { return appendEarly(cmd) }

// Answer answers an extension command (Intercepts said so), given whole
// as the client sent it, with the session go-imap runs over the
// Corrector's connection; one that grew past the tap's bound (whole is
// false) is refused. The reply is one event per line, the tagged one last
// with its facts; library is what go-imap runs in the command's place
// (an APPEND: ext_append.go).
func (c *Corrector) Answer(cmd []byte, whole bool, stop <-chan struct{}) ([]wire.Event, []byte, string) {
	var a Answer
	switch tag, verb := commandHead(&cmdReader{b: cmd}); {
	case whole:
		a = c.srv.Extension(c.conn, cmd, stop)
	case verb == "APPEND":
		a = Answer{Tag: tag, Verb: verb,
			Reply: []byte(tag + " NO [TOOBIG] One APPEND holds at most 100 MB of messages: send the rest in another APPEND; nothing was stored\r\n")}
	default:
		a = Answer{Tag: tag, Verb: verb,
			Reply: []byte(tag + " BAD [TOOBIG] Command too long: its arguments and literals are limited to 1 MB\r\n")}
	}
	if a.OKLine != nil {
		c.mu.Lock()
		c.okLines = append(c.okLines, taggedLine{tag: a.Tag, line: a.OKLine})
		c.okLinesAny.Store(true)
		c.mu.Unlock()
	}
	var events []wire.Event
	for rest := a.Reply; len(rest) > 0; {
		var line []byte
		line, rest = wire.CutLine(rest)
		e := wire.Event{Dir: wire.FromServer, Kind: wire.Line, Data: line}
		if len(rest) == 0 && a.Tag != "" {
			e.Answers, e.Tag, e.OK = a.Verb, a.Tag, a.OK
		}
		events = append(events, e)
	}
	return events, a.Library, a.ClientID
}

// multiappendOK returns the tagged OK of a MULTIAPPEND to put in place of
// go-imap's answer to the NOOP it ran in the command's place (see
// ext_append.go), nil for any other tagged line.
func (c *Corrector) multiappendOK(tag string, line []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.okLines) == 0 || c.okLines[0].tag != tag {
		return nil
	}
	ok := c.okLines[0].line
	c.okLines = c.okLines[1:]
	c.okLinesAny.Store(len(c.okLines) > 0)
	if !bytes.HasPrefix(line, []byte(tag+" OK ")) {
		return nil // not go-imap's OK to the NOOP: its own line stands
	}
	return ok
}

// refuseIMAP answers the first line of an IMAP command that go-imap would
// mishandle, and returns "" for every other line:
//   - a line that does not even start like a command: a blank line, no tag
//     ("NOOP", `LIST "" *`), no command after the tag. go-imap's server
//     hangs up on such a line without a word; RFC 9051 §7.1.5 says the
//     server answers BAD (tagged when it could read a tag), and the learner
//     deserves to know why.
//   - a synchronising literal go-imap will not take (refuseBigLiteral).
//   - a command whose quoted string does not end on its line: go-imap
//     reads the client's next lines into the string and the session hangs.
func refuseIMAP(p wire.Piece) string {
	if reply := refuseBigLiteral(p); reply != "" {
		return reply
	}
	tag, problem := wire.IMAPHeadOf(p.Data)
	if problem == wire.IMAPHeadOK {
		if p.QuoteOpen {
			return tag + " BAD [CLIENTBUG] Unterminated quoted string: a quoted string must end with \" on the same line\r\n"
		}
		return ""
	}
	// The line is quoted back with its secret masked: a refused LOGIN's
	// password must not come back in the reply (nor reach the tap).
	text := strings.TrimRight(string(p.Event().Masked()), "\r\n")
	if problem == wire.IMAPHeadOneWord && strings.EqualFold(strings.TrimSpace(text), "DONE") {
		// DONE is the one line without a tag, and only while IDLE runs
		// (RFC 2177 §3): here it came when none does.
		return "* BAD [CLIENTBUG] DONE only ends an IDLE, and no IDLE is running (it ended, or never began): DONE takes no tag and is sent once, after the server's \"+ idling\"\r\n"
	}
	switch problem {
	case wire.IMAPHeadBlank:
		return "* BAD [CLIENTBUG] Empty line: an IMAP command is a tag, a space and a command, e.g. a1 NOOP\r\n"
	case wire.IMAPHeadNoTag, wire.IMAPHeadOneWord:
		return "* BAD [CLIENTBUG] Missing tag: every IMAP command starts with a tag of your choice, e.g. a1 " +
			replyExample(strings.TrimSpace(text), "NOOP") + "\r\n"
	case wire.IMAPHeadSpaces:
		return tag + " BAD [CLIENTBUG] One space, not more, goes between the tag and the command, e.g. " + tag + " " +
			replyExample(strings.Join(strings.Fields(text)[1:], " "), "NOOP") + "\r\n"
	case wire.IMAPHeadPlusInTag:
		return "* BAD [CLIENTBUG] A tag may not contain \"+\" (RFC 9051 §9: \"+\" is how the server asks for more); choose another, e.g. a1 " +
			replyExample(strings.Join(strings.Fields(text)[1:], " "), "NOOP") + "\r\n"
	case wire.IMAPHeadUIDAlone:
		return tag + " BAD [CLIENTBUG] UID needs a command after it: UID FETCH, UID SEARCH, UID STORE, UID COPY, UID MOVE or UID EXPUNGE\r\n"
	}
	return tag + " BAD [CLIENTBUG] No command after the tag " + tag + ": if " + tag + " is the command, it needs a tag of your choice first, e.g. a1 " +
		replyExample(text, tag) + "\r\n"
}

// bufferedLiteralMax is the largest literal go-imap's server accepts in
// a command other than APPEND (its checkBufferedLiteral).
const bufferedLiteralMax = 4096

// refuseBigLiteral answers a command line that announces a literal go-imap
// will not take (over 4096 bytes, outside APPEND). go-imap refuses it
// without a word and then reads the client's next bytes as if they were
// the literal; a client waiting for "+" hangs. RFC 9051 §7.1 lets the
// server refuse the literal with a tagged NO instead of "+"; the [TOOBIG]
// code is RFC 4469's. A non-synchronising literal (RFC 7888 §4) is refused
// the same way, and its bytes, which the client sends all the same, are
// dropped (the IMAP model marks them). Only on a command's first line: once
// go-imap has read part of a command (an earlier literal), it must see the
// rest.
func refuseBigLiteral(p wire.Piece) string {
	if p.Literal == wire.NoLiteral || p.LiteralSize <= bufferedLiteralMax || p.Verb == "APPEND" || p.Tag == "" || p.Head != wire.IMAPHeadOK {
		return ""
	}
	return p.Tag + " NO [TOOBIG] Literals are limited to 4096 bytes for " + p.Verb + " (APPEND takes whole messages)\r\n"
}

// replyExample returns what the client sent, to be quoted back in a reply,
// when it is short printable text; otherwise the fallback. A reply must not
// carry NULs, control characters or invalid UTF-8 back to the client.
func replyExample(sent, fallback string) string {
	if len(sent) > 80 || !utf8.ValidString(sent) {
		return fallback
	}
	for _, r := range sent {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fallback
		}
	}
	return sent
}

// emptySASLChallenge is how go-imap asks for an AUTHENTICATE response with
// an empty challenge (see Reply).
const emptySASLChallenge = "+ =\r\n"

// libraryParseFailure is the tagged reply go-imap's server gives when its
// own parser rejects an argument with an error that is not one of its
// syntax errors: a search key it does not know ("SEARCH NOSUCH"), a date
// that is no date ("BEFORE 32-Foo-2026", an APPEND date-time of 31-Feb), a
// mailbox name that is not valid modified UTF-7 ("&Jjo"), a message set it
// cannot read. It calls that an internal server error; mailtutor's session
// never answers so (its own failures carry their own text), so behind this
// line there is always a malformed command, and RFC 9051 §7.1.5 answers a
// malformed command BAD.
const libraryParseFailure = " NO [SERVERBUG] Internal server error\r\n"

// noteSaveOnly remembers the tag of a SEARCH command line whose only
// return option is SAVE ("a1 SEARCH RETURN (SAVE) FLAGGED"). RFC 5182 §2.4
// says the server then sends no ESEARCH response, only remembers the
// result for "$"; go-imap takes no return option but SAVE for "ALL" and
// sends one (see silentSave).
func (c *Corrector) noteSaveOnly(line []byte) {
	words := bytes.Fields(wire.TrimEOL(line))
	i := 2 // after the tag and SEARCH
	if len(words) > 2 && bytes.EqualFold(words[1], []byte("UID")) {
		i = 3
	}
	if len(words) < i+2 || !bytes.EqualFold(words[i], []byte("RETURN")) || !bytes.EqualFold(words[i+1], []byte("(SAVE)")) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.saveOnly == nil {
		c.saveOnly = make(map[string]bool)
	}
	if len(c.saveOnly) < 100 { // bounded against a client that never waits
		c.saveOnly[string(words[0])] = true
		c.saveOnlyAny.Store(true)
	}
}

// silentSave reports whether a server line is the ESEARCH response to a
// SAVE-only SEARCH (noteSaveOnly), which is left out; the tagged reply
// that ends such a SEARCH (answers is set) forgets its tag.
func (c *Corrector) silentSave(answers string, line []byte) bool {
	if !c.saveOnlyAny.Load() {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if answers != "" {
		tag, _, _ := bytes.Cut(line, []byte(" "))
		delete(c.saveOnly, string(tag))
		c.saveOnlyAny.Store(len(c.saveOnly) > 0)
		return false
	}
	const head = `* ESEARCH (TAG "`
	if !bytes.HasPrefix(line, []byte(head)) {
		return false
	}
	tag, _, ok := bytes.Cut(line[len(head):], []byte(`"`))
	return ok && c.saveOnly[string(tag)]
}

// parseFailureReply rewrites libraryParseFailure, the reply to a command
// whose verb is given, into the BAD that says what the argument should look
// like; it returns nil for every other line. A mailbox name that is not
// valid modified UTF-7 is no syntax error where the command only looks a
// mailbox up: LIST lists nothing (OK), SELECT and the like answer NO.
func parseFailureReply(line []byte, verb string) []byte {
	tag, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || string(rest) != libraryParseFailure[1:] {
		return nil
	}
	verb = strings.TrimPrefix(verb, "UID ")
	var why string
	switch verb {
	case "LIST", "LSUB":
		// The pattern (or reference) is valid in LIST's grammar, e.g.
		// !#$&'+,-.0123456789:;<=>?@^_`|[}%* (RFC 9051 §9, list-char),
		// but not valid modified UTF-7, so no mailbox name, which always
		// is, matches it: Dovecot answers OK with nothing listed.
		return []byte(string(tag) + " OK " + verb + " completed (no mailbox matches: a name that is not valid modified UTF-7 names none; a plain & is written &-, RFC 9051 §5.1.3)\r\n")
	case "SELECT", "EXAMINE", "STATUS", "DELETE", "SUBSCRIBE", "UNSUBSCRIBE":
		// The grammar takes the name; it just names no mailbox (Dovecot
		// answers NO as well).
		return []byte(string(tag) + " NO [NONEXISTENT] No such mailbox: a name that is not valid modified UTF-7 names none; outside ASCII a name is written in modified UTF-7, where & starts a base64 run that ends with - and a plain & is written &- (RFC 9051 §5.1.3)\r\n")
	case "SEARCH":
		why = "Syntax error in the search criteria: a search key this server does not know, a message number 0, or a date not written like 2-Mar-2026 (RFC 9051 §6.4.4)"
	case "APPEND":
		why = "Syntax error: a date-time not written like \"02-Mar-2026 10:00:00 +0000\", or a mailbox name that is not valid modified UTF-7 (RFC 9051 §6.3.12, §5.1.3)"
	case "FETCH", "STORE", "COPY", "MOVE", "EXPUNGE":
		why = "Syntax error: a message set is numbers, ranges such as 2:4, and * (the last message), separated by commas; a mailbox name must be valid modified UTF-7 (RFC 9051 §9, §5.1.3)"
	case "CREATE", "RENAME":
		why = "Invalid mailbox name: outside ASCII a name is written in modified UTF-7, where & starts a base64 run that ends with - and a plain & is written &- (RFC 9051 §5.1.3)"
	default:
		why = "Syntax error in the arguments of " + verb
	}
	return []byte(string(tag) + " BAD [CLIENTBUG] " + why + "\r\n")
}
