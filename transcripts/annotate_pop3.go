package transcripts

import (
	"strconv"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// popCmd is what the annotator remembers of a command sent, for the
// explanation of its response.
type popCmd struct {
	verb        string // "RETR"; in a response, what the model says it answers ("<greeting>")
	arg         string // the argument(s) as typed
	stateBefore string
	afterUser   bool // the response before this command's was +OK to USER (set when the response comes)
}

// pop3State is what a POP3 annotator remembers about the session. Which
// command a response answers, and where a multi-line response ends, are
// the protocol model's facts (wire.Event's Answers, Verb, Continues).
type pop3State struct {
	// sent holds what the commands not yet answered said: a response the
	// model says answers RETR takes the oldest RETR's message number (RFC
	// 2449 PIPELINING: responses come in order), never another verb's.
	sent  awaiting[popCmd]
	state string // "AUTHORIZATION", "TRANSACTION", "UPDATE"
	// multi is the command whose multi-line response is being received;
	// multiArg its argument, multiLines the lines so far, inBody whether a
	// RETR/TOP has passed the blank line after the headers.
	multi      string
	multiRFC   string // multi's RFC section, looked up on the answer's first line
	multiArg   string
	multiLines int
	inBody     bool
	deleted    map[string]bool // message numbers marked deleted in this session
	user       string          // the USER given, for notes
	auth       string          // SASL mechanism in progress ("" none)
	authUser   string
	// serverSeen: the log shows the server's side (poplib's level 1
	// shows only commands), so pipelinedNote can say a command was
	// pipelined.
	serverSeen bool
	greeting   string // the text of the server's greeting, for vendor hints
	greeted    bool   // the greeting was seen: the session is known from its start
	// userAccepted says the last response was +OK to USER, so that a PASS
	// answered next is known to follow a USER (RFC 1939 §7).
	userAccepted bool
}

func (s *pop3State) init() {
	s.state = "AUTHORIZATION"
	s.deleted = map[string]bool{}
}

// expected is the state a command sent now will run in: a pipelining
// client (RFC 2449 §6.6) sends its commands behind a PASS, APOP or AUTH
// not yet answered, and they run after the login, as if it succeeds.
func (s *pop3State) expected() string {
	if s.state != "AUTHORIZATION" {
		return s.state
	}
	if s.sent.has("PASS") || s.sent.has("APOP") {
		return "TRANSACTION"
	}
	for _, c := range s.sent.cmds {
		if c.verb == "AUTH" && c.cmd.arg != "" {
			return "TRANSACTION"
		}
	}
	return s.state
}

// popVerbs are the commands this tutor explains (their RFC sections are in
// the knowledge base: rfcOf).
var popVerbs = map[string]bool{
	"USER": true, "PASS": true, "APOP": true, "STAT": true, "LIST": true,
	"RETR": true, "DELE": true, "NOOP": true, "RSET": true, "QUIT": true,
	"TOP": true, "UIDL": true, "CAPA": true, "STLS": true, "AUTH": true,
	"UTF8": true,
}

func (a *POP3Annotator) popLine(l *Line, e wire.Event) {
	if e.Dir == wire.FromClient {
		a.popClient(l, e)
	} else {
		a.popServer(l, e)
	}
	if l.State == "" {
		l.State = a.pop.state
	}
}

func (a *POP3Annotator) popClient(l *Line, e wire.Event) {
	s := &a.pop
	text := a.lineText(e)
	if lineEnding(e.Data) == "LF" {
		defer func() {
			l.Note += " (this line ends with a bare LF; POP3 lines end with CRLF, RFC 1939 §3)"
		}()
	}
	if e.Continues && e.Verb == "AUTH" {
		// The model: a response in the AUTH exchange, not a command.
		l.Verb = "AUTH"
		a.popAuthResponse(l, text)
		return
	}
	word, rest := cutWord(text)
	verb := strings.ToUpper(word)
	state := s.expected()
	cmd := popCmd{verb: verb, arg: rest, stateBefore: state}
	l.Verb = verb
	known := popVerbs[verb]
	rfc := a.rfcOf(kb.Command, verb)
	l.RFC = rfc
	if !a.popLoginCommand(l, &cmd, rest, e) && !a.popMaildropCommand(l, &cmd, rest) {
		l.Note = a.show(word) + " is not a POP3 command: the server will answer -ERR"
		l.Level = Warning
		l.RFC = "RFC 1939 §3"
	}
	if problem := popArgProblem(verb, rest, state); problem != "" {
		l.Note = problem + ": the server will answer -ERR"
		l.Level = Warning
	} else if verb == "DELE" && s.deleted[rest] {
		l.Note += " (it is already marked deleted in this session: the server will refuse)"
		l.Level = Warning
	}
	if known {
		a.want(kb.Command, verb)
	}
	if len(s.sent.cmds) > 0 && s.serverSeen {
		l.Note += pipelinedNote(s.sent.last)
	}
	switch {
	case e.Verb != "":
		s.sent.add(e.Verb, cmd)
	case verb == "" && lineEnding(e.Data) != "":
		s.sent.add(wire.EmptyCommand, cmd) // the model awaits a response to it too
	}
}

// popLoginCommand explains the commands of the AUTHORIZATION state and
// those any state takes (CAPA, STLS, UTF8); popMaildropCommand the
// others. Each reports whether it knew the verb.
func (a *POP3Annotator) popLoginCommand(l *Line, cmd *popCmd, rest string, e wire.Event) bool {
	s := &a.pop
	switch cmd.verb {
	case "":
		l.Note = "an empty line is not a command: the server will answer -ERR"
		l.Level = Warning
	case "USER":
		s.user = rest
		l.Note = "names the mailbox to log in to: " + a.show(rest) + "; the password follows with PASS"
	case "PASS":
		pw := rest
		l.Note = "sends the password " + a.hide(pw) + " in clear text (anyone on the path can read it unless the connection is encrypted)"
		if e.Encrypted {
			l.Note = "sends the password " + a.hide(pw) + " (inside TLS, so only the server can read it)"
		}
	case "APOP":
		name, _ := cutWord(rest)
		s.user = name
		l.Note = "logs in as " + a.show(name) + " with a digest (MD5 of the greeting's timestamp and the password): the password itself never crosses the wire"
	case "CAPA":
		l.Note = "asks which capabilities the server supports"
	case "STLS":
		l.Note = "asks to switch this connection to TLS before logging in"
	case "UTF8":
		l.Note = "asks to use UTF-8 in this session"
	case "AUTH":
		mech, initial := cutWord(rest)
		mech = strings.ToUpper(mech)
		cmd.arg = mech
		if mech == "" {
			l.Note = "lists the SASL mechanisms the server offers (or, with a name, logs in with that mechanism)"
			break
		}
		a.want(kb.Mechanism, mech)
		s.auth, s.authUser = mech, ""
		l.Note = "logs in with the " + mech + " mechanism"
		if initial != "" {
			a.popAuthResponse(l, initial)
			l.Verb = "AUTH"
			l.Note = "logs in with " + mech + ": " + l.Note
		}
	case "LAST":
		// Old clients still send it, and old logs still show it.
		l.Note = "LAST asked for the highest message number already read; it was in POP3 until RFC 1725 (1994) removed it, " +
			"so a server that follows RFC 1939 answers -ERR: a client keeps track with UIDL instead"
		l.Level = Warning
		l.RFC = "RFC 1725 (changes from RFC 1460)"
	default:
		return false
	}
	return true
}

// popMaildropCommand explains the commands of the TRANSACTION state.
func (a *POP3Annotator) popMaildropCommand(l *Line, cmd *popCmd, rest string) bool {
	s := &a.pop
	switch cmd.verb {
	case "STAT":
		l.Note = "asks how many messages are in the maildrop and their total size"
	case "LIST":
		if rest == "" {
			l.Note = "asks for the size of every message (one line each, ending with \".\")"
		} else {
			l.Note = "asks for the size of message " + a.show(rest)
		}
	case "RETR":
		l.Note = "downloads message " + a.show(rest) + " in full"
		if s.deleted[rest] {
			l.Note += " (it was marked deleted in this session: the server will refuse)"
			l.Level = Warning
		}
	case "TOP":
		n, lines := cutWord(rest)
		l.Note = "downloads the headers of message " + a.show(n) + " and the first " + a.show(lines) + " lines of its body"
	case "DELE":
		l.Note = "marks message " + a.show(rest) + " for deletion (it is removed only when the session ends with QUIT)"
	case "RSET":
		l.Note = "unmarks every message marked for deletion in this session"
	case "NOOP":
		l.Note = "does nothing: keeps the connection alive"
	case "QUIT":
		if cmd.stateBefore == "TRANSACTION" {
			l.Note = "ends the session: the server enters the UPDATE state and now really removes the messages marked deleted"
			if len(s.deleted) == 0 {
				l.Note = "ends the session: the server enters the UPDATE state; no message was marked deleted, so every message stays on the server"
			}
		} else {
			l.Note = "ends the session before logging in: nothing changes"
		}
	case "UIDL":
		if rest == "" {
			l.Note = "asks for every message's unique id (a client remembers them to know what it already downloaded)"
		} else {
			l.Note = "asks for the unique id of message " + a.show(rest)
		}
	default:
		return false
	}
	return true
}

// popArgs is how many arguments each POP3 command takes (RFC 1939 §5-7,
// RFC 2449, RFC 2595) and what they are, for the commands whose arguments
// a server checks before anything else. numeric: the first is a message
// number.
var popArgs = map[string]struct {
	min, max int
	numeric  bool
	what     string
}{
	"USER": {1, 1, false, "a user name, e.g. USER alice"},
	"APOP": {2, 2, false, "a user name and the digest, e.g. APOP alice c4c9334bac560ecc979e58001b3e22fb"},
	"STAT": {0, 0, false, "no argument"},
	"LIST": {0, 1, true, "no argument, or a message number"},
	"UIDL": {0, 1, true, "no argument, or a message number"},
	"RETR": {1, 1, true, "a message number, e.g. RETR 1"},
	"DELE": {1, 1, true, "a message number, e.g. DELE 1"},
	"TOP":  {2, 2, true, "a message number and a count of body lines, e.g. TOP 1 0"},
	"NOOP": {0, 0, false, "no argument"},
	"RSET": {0, 0, false, "no argument"},
	"CAPA": {0, 0, false, "no argument"},
	"STLS": {0, 0, false, "no argument"},
}

// popArgProblem says what is wrong with a command's arguments or its
// moment, or "" when nothing is.
func popArgProblem(verb, rest, state string) string {
	if verb == "STLS" && state == "TRANSACTION" {
		return "STLS is only allowed before logging in (RFC 2595 §4)"
	}
	spec, ok := popArgs[verb]
	if !ok {
		return ""
	}
	args := strings.Fields(rest)
	if len(args) < spec.min || len(args) > spec.max {
		return verb + " takes " + spec.what
	}
	for _, arg := range args {
		if spec.numeric && !isDigits(arg) {
			return verb + " takes " + spec.what + " (message numbers and counts are digits)"
		}
	}
	return ""
}

// popAuthResponse explains a SASL response line of a POP3 AUTH exchange.
func (a *POP3Annotator) popAuthResponse(l *Line, resp string) {
	s := &a.pop
	l.RFC = "RFC 5034 §4"
	if resp == "*" {
		l.Note = "the client cancels the login exchange"
		return
	}
	dec, ok := decodeBase64(resp)
	switch {
	case suppressedByLog(resp):
		l.Note = suppressedNote
	case !ok:
		l.Note = "the login response is not valid base64: the server will answer -ERR"
		l.Level = Warning
	case s.auth == "PLAIN":
		l.Note, s.authUser = a.saslPlain(dec)
		l.Note = "credentials " + l.Note
	case s.auth == "LOGIN" && s.authUser == "":
		s.authUser = dec
		l.Note = "user name " + a.printable(dec) + " (base64-encoded)"
	case s.auth == "LOGIN":
		l.Note = "password " + a.hide(dec) + a.base64Exposure()
	default:
		l.Note = "the client's answer to the " + s.auth + " challenge, base64-encoded"
	}
}

func (a *POP3Annotator) popServer(l *Line, e wire.Event) {
	s := &a.pop
	s.serverSeen = true
	text := a.lineText(e)
	if s.multi != "" {
		a.popMultiLine(l, text, e.Continues)
		return
	}
	ok := strings.HasPrefix(text, "+OK")
	bad := strings.HasPrefix(text, "-ERR")
	if !ok && !bad {
		if strings.HasPrefix(text, "+") {
			a.popChallenge(l, text)
			return
		}
		l.Note = "not a valid POP3 response: each response starts with +OK or -ERR (RFC 1939 §3)"
		l.Level = Warning
		l.Unknown = true
		return
	}
	cmd := a.popAnswered(e)
	// RFC 1939 §7: PASS counts only right after an accepted USER.
	cmd.afterUser = s.userAccepted
	s.userAccepted = ok && cmd.verb == "USER"
	msg := ""
	if ok {
		l.Code = "+OK"
		msg = strings.TrimSpace(text[3:])
		l.Level = Success
	} else {
		l.Code = "-ERR"
		msg = strings.TrimSpace(text[4:])
		l.Level = Warning
	}
	if strings.HasPrefix(msg, "[") {
		if end := strings.IndexByte(msg, ']'); end > 0 {
			l.RespCode = strings.ToUpper(msg[1:end])
			msg = strings.TrimSpace(msg[end+1:])
			a.want(kb.ResponseCode, l.RespCode)
		}
	}
	a.want(kb.Response, l.Code)
	l.Verb = cmd.verb
	if cmd.verb == "<greeting>" {
		l.Verb = ""
	}
	m := a.show(msg)
	if ok && e.Continues { // the model: a multi-line response starts
		s.multi, s.multiRFC, s.multiArg, s.multiLines, s.inBody = cmd.verb, "", cmd.arg, 0, false
		a.popMultiStart(l, cmd, m)
		return
	}
	l.Complete = true
	if ok {
		a.popOK(l, cmd, m)
	} else {
		a.popErr(l, cmd, m)
		addServerMeaning(l, m)
	}
}

// popChallenge explains a "+" line: a SASL challenge of an AUTH exchange.
func (a *POP3Annotator) popChallenge(l *Line, text string) {
	l.Code = "+"
	l.Verb = "AUTH"
	msg := strings.TrimSpace(text[1:])
	dec, isB64 := decodeBase64(msg)
	switch {
	case msg == "" || isB64 && dec == "":
		l.Note = "the server is ready for the " + a.pop.auth + " credentials: the client sends them base64-encoded on the next line"
	case isB64:
		l.Note = "the server asks " + a.printable(dec) + " (base64); the client answers on the next line"
	default:
		l.Note = "a login challenge; the client answers on the next line"
	}
	l.RFC = "RFC 5034 §4"
}

// cutReplyEnd is told that the last piece of a status line too long to
// be one event completes the response: the command it answers is done.
func (a *POP3Annotator) cutReplyEnd(e wire.Event) { a.popAnswered(e) }

// popAnswered returns the command a response answers, as the model says
// (Answers on the line that completes it, Verb on the "+OK" that opens a
// multi-line one), with what the annotator remembers of it. A response no
// command awaits, or one to an empty line, has verb "".
func (a *POP3Annotator) popAnswered(e wire.Event) popCmd {
	verb := e.Answers
	if verb == "" {
		verb = e.Verb
	}
	if verb == "" {
		return popCmd{stateBefore: a.pop.state}
	}
	cmd, ok := a.pop.sent.take(verb)
	if !ok {
		// A command not seen (the greeting, a line the log left out).
		cmd = popCmd{verb: verb, stateBefore: a.pop.state}
	}
	if cmd.verb == wire.EmptyCommand {
		cmd.verb = ""
	}
	return cmd
}

func (a *POP3Annotator) popOK(l *Line, cmd popCmd, m string) {
	s := &a.pop
	l.RFC = a.rfcOf(kb.Command, cmd.verb)
	switch cmd.verb {
	case "<greeting>":
		l.Note = "the server is ready (" + m + "); the session starts in the AUTHORIZATION state: log in with USER and PASS"
		if strings.Contains(m, "<") && strings.Contains(m, "@") {
			l.Note += " (the <...> timestamp lets a client use APOP)"
		}
		l.Note += exchangeGreetingNote(m)
		s.greeting = m
		s.greeted = true
		l.RFC = "RFC 1939 §4"
	case "USER":
		l.Note = "user name noted; now send PASS (many servers say +OK even for unknown users, so as not to reveal who exists)"
	case "PASS", "APOP":
		s.state = "TRANSACTION"
		l.Note = "logged in: the maildrop is locked for this session (TRANSACTION state) (" + m + ")"
	case "AUTH":
		if s.auth != "" {
			s.state = "TRANSACTION"
			l.Note = "logged in"
			if s.authUser != "" {
				l.Note += " as " + a.show(s.authUser)
			}
			l.Note += ": the maildrop is locked for this session (TRANSACTION state)"
		} else {
			l.Note = "the server lists its SASL mechanisms"
		}
		s.auth = ""
	case "STAT":
		n, size := cutWord(m)
		size, _ = cutWord(size)
		l.Note = "the maildrop holds " + n + " message(s), " + size + " bytes in total (messages marked deleted are not counted)"
		if count, err := strconv.Atoi(n); err == nil {
			l.Note = "the maildrop holds " + plural(count, "message") + ", " + size + " bytes in total (messages marked deleted are not counted)"
		}
	case "LIST":
		n, size := cutWord(m)
		size, _ = cutWord(size)
		l.Note = "message " + n + " is " + size + " bytes"
	case "UIDL":
		n, id := cutWord(m)
		l.Note = "message " + n + " has unique id " + id + " (the same in every session)"
	case "DELE":
		s.deleted[cmd.arg] = true
		l.Note = "message " + a.show(cmd.arg) + " is marked deleted: it disappears from listings now and is removed from the server at QUIT (UPDATE state); RSET would unmark it"
	case "RSET":
		s.deleted = map[string]bool{}
		l.Note = "every deletion mark of this session is undone"
	case "NOOP":
		l.Note = "the server is alive"
	case "QUIT":
		if cmd.stateBefore == "TRANSACTION" {
			s.state = "UPDATE"
			n := len(s.deleted)
			l.Note = "UPDATE state: the server removed the " + plural(n, "message") + " marked deleted and released the lock; goodbye"
			if n == 0 {
				l.Note = "UPDATE state: no message was marked deleted, so nothing was removed (the mail stays on the server); the lock is released; goodbye"
			}
		} else {
			l.Note = "goodbye: the session ended before login, nothing changed"
		}
	case "STLS":
		l.Note = "go ahead with the TLS handshake: the next bytes on the wire are TLS"
	case "UTF8":
		l.Note = "UTF-8 mode is on"
	default:
		l.Note = "success (" + m + ")"
		l.RFC = "RFC 1939 §3"
	}
}

func (a *POP3Annotator) popErr(l *Line, cmd popCmd, m string) {
	s := &a.pop
	l.RFC = a.rfcOf(kb.Command, cmd.verb)
	switch l.RespCode {
	case "IN-USE":
		l.Note = "the maildrop is locked by another POP3 session (or a client that did not QUIT): try again later"
		l.RFC = "RFC 2449 §8.1.2"
	case "LOGIN-DELAY":
		l.Note = "logged in too soon after the last login: wait before trying again"
		l.RFC = "RFC 2449 §8.1.1"
	case "AUTH":
		l.Note = "login refused: the user name or password is wrong, not a temporary problem"
		l.Level = Error
		l.RFC = "RFC 3206 §5"
	case "SYS/TEMP":
		l.Note = "a temporary problem on the server (" + m + "): try again later"
		l.RFC = "RFC 3206 §4"
	case "SYS/PERM":
		l.Note = "a permanent problem on the server (" + m + "): retrying will not help, contact the administrator"
		l.Level = Error
		l.RFC = "RFC 3206 §4"
	}
	if l.Note != "" {
		if cmd.verb == "PASS" || cmd.verb == "APOP" || cmd.verb == "AUTH" {
			s.auth = ""
		}
		return
	}
	switch cmd.verb {
	case "<greeting>":
		l.Note = "the server refuses the session (" + m + ")"
	case "PASS", "APOP", "AUTH":
		s.auth = ""
		if cmd.verb == "PASS" && !cmd.afterUser && (s.greeted || strings.Contains(strings.ToUpper(m), "USER FIRST")) {
			// RFC 1939 §7: PASS only right after a USER the server
			// accepted, and a failed PASS needs a new USER. The
			// password was never checked.
			l.Note = "PASS came without an accepted USER just before it (" + m + "): a mistake in the order of commands, " +
				"not a wrong password, which the server never checked. Send USER, then PASS (after a failed PASS, USER again)"
			l.Level = Warning
			break
		}
		l.Note = "login failed (" + m + "): check the user name and password"
		if mech, _ := cutWord(cmd.arg); cmd.verb != "AUTH" || !strings.EqualFold(mech, "XOAUTH2") {
			l.Note += exchangeLoginHint(s.greeting)
		}
		l.Level = Error
	case "USER":
		l.Note = "the user name was refused (" + m + ")"
	case "RETR", "TOP", "DELE", "LIST", "UIDL":
		if s.deleted[cmd.arg] {
			l.Note = "message " + a.show(cmd.arg) + " was marked deleted earlier in this session: it cannot be read any more (RSET would bring it back)"
		} else if cmd.stateBefore != "TRANSACTION" {
			l.Note = cmd.verb + " needs a logged-in session (TRANSACTION state): log in with USER and PASS first (" + m + ")"
		} else {
			l.Note = "refused (" + m + "): check the message number with LIST"
		}
	case "STAT", "NOOP", "RSET":
		if cmd.stateBefore != "TRANSACTION" {
			l.Note = cmd.verb + " needs a logged-in session (TRANSACTION state): log in with USER and PASS first (" + m + ")"
		} else {
			l.Note = "refused (" + m + ")"
		}
	case "STLS":
		l.Note = "TLS cannot be started now (" + m + ")"
	case "":
		l.Note = "the server did not understand the line (" + m + ")"
		l.RFC = "RFC 1939 §3"
	default:
		if _, known := popVerbs[cmd.verb]; !known {
			l.Note = "unknown command (" + m + ")"
		} else {
			l.Note = "refused (" + m + ")"
		}
		l.RFC = "RFC 1939 §3"
	}
}

// popMultiStart explains the +OK that opens a multi-line response.
func (a *POP3Annotator) popMultiStart(l *Line, cmd popCmd, m string) {
	l.RFC = a.rfcOf(kb.Command, cmd.verb)
	switch cmd.verb {
	case "CAPA":
		l.Note = "capability list follows, one per line, ending with \".\""
	case "LIST":
		l.Note = "scan listing follows: one line per message (number and size in bytes), ending with \".\""
	case "UIDL":
		l.Note = "unique-id listing follows: message number and unique id per line, ending with \".\""
	case "RETR":
		l.Note = "message " + a.show(cmd.arg) + " follows (" + m + "): headers, blank line, body, then a line holding only \".\""
	case "TOP":
		n, lines := cutWord(cmd.arg)
		l.Note = "the headers of message " + a.show(n) + " and the first " + a.show(lines) + " lines of its body follow, ending with \".\""
	}
}

// popMultiLine explains one line of a multi-line response; more is the
// model's word that the response goes on after it.
func (a *POP3Annotator) popMultiLine(l *Line, text string, more bool) {
	s := &a.pop
	l.Verb = s.multi
	if s.multiRFC == "" {
		s.multiRFC = a.rfcOf(kb.Command, s.multi) // once per answer: a message has thousands of lines
	}
	l.RFC = s.multiRFC
	if !more { // the "." line
		l.Complete = true
		l.Level = Success
		l.Note = "end of the " + s.multi + " response (" + plural(s.multiLines, "line") + ")"
		l.RFC = "RFC 1939 §3"
		s.multi = ""
		return
	}
	s.multiLines++
	stuffed := strings.HasPrefix(text, ".")
	if stuffed {
		text = text[1:]
	}
	switch s.multi {
	case "CAPA":
		kw, params := cutWord(text)
		kw = strings.ToUpper(kw)
		a.want(kb.Capability, kw)
		l.Note = popCapability(kw, a.show(params))
	case "LIST":
		n, size := cutWord(text)
		l.Note = "message " + a.show(n) + ": " + a.show(size) + " bytes"
	case "UIDL":
		n, id := cutWord(text)
		l.Note = "message " + a.show(n) + " has unique id " + a.show(id)
	case "RETR", "TOP":
		switch {
		// The message's own lines are RFC 5322's (the message format),
		// not RFC 1939's, which only carries them.
		case !s.inBody && text == "":
			s.inBody = true
			l.Note = "blank line: the headers end, the body follows"
			l.RFC = "RFC 5322 §2.1"
		case !s.inBody && (strings.HasPrefix(text, " ") || strings.HasPrefix(text, "\t")):
			l.Note = "continuation of the previous header (folded line: any line starting with a space or a tab)"
			l.RFC = "RFC 5322 §2.2.3"
		case !s.inBody:
			name, _, _ := strings.Cut(text, ":")
			l.Note = "header " + a.show(name) + ": " + popHeaderMeaning(name)
			l.RFC = headerRFC(name)
		default:
			l.Note = "a line of the message body"
		}
	}
	if stuffed {
		l.Note += "; the line starts with a dot, so the server doubled it (byte-stuffing, RFC 1939 §3) and the client removes one"
	}
}

// popHeaderMeaning says what a common header is for.
func popHeaderMeaning(name string) string {
	switch strings.ToLower(name) {
	case "from":
		return "the author, as the reader's mail program shows it"
	case "to":
		return "the visible recipients (the envelope may differ)"
	case "cc":
		return "visible copy recipients"
	case "subject":
		return "the subject line"
	case "date":
		return "when the author sent it"
	case "message-id":
		return "a world-unique id for this message"
	case "received":
		return "a trace line added by each server that handled the message (newest on top)"
	case "return-path":
		return "the envelope sender, added at final delivery: where bounces go"
	case "mime-version":
		return "the message uses MIME (always 1.0): its Content- headers say how the body is built"
	case "content-type":
		return "what the body is (text/plain, text/html, multipart/... with attachments) and its character set"
	case "content-transfer-encoding":
		return "how the body was made safe for a 7-bit mail path (7bit, quoted-printable, base64): the reader's program undoes it"
	}
	return "a message header"
}

// headerRFC is where a header field is defined: the message format, RFC
// 5322 §3.6 and its subsections, or MIME (RFC 2045).
func headerRFC(name string) string {
	switch strings.ToLower(name) {
	case "date":
		return "RFC 5322 §3.6.1"
	case "from", "sender", "reply-to":
		return "RFC 5322 §3.6.2"
	case "to", "cc", "bcc":
		return "RFC 5322 §3.6.3"
	case "message-id", "in-reply-to", "references":
		return "RFC 5322 §3.6.4"
	case "subject", "comments", "keywords":
		return "RFC 5322 §3.6.5"
	case "received", "return-path":
		return "RFC 5322 §3.6.7; RFC 5321 §4.4"
	case "mime-version", "content-type", "content-transfer-encoding", "content-id", "content-description":
		return "RFC 2045"
	}
	return "RFC 5322 §3.6"
}

// expireMeaning says what an EXPIRE value promises (RFC 2449 §6.7).
func expireMeaning(params string) string {
	switch v := strings.ToUpper(strings.TrimSpace(params)); {
	case strings.HasPrefix(v, "NEVER"):
		return ": the server deletes nothing by its own policy; a message leaves the server only by DELE and QUIT"
	case v == "0" || strings.HasPrefix(v, "0 "):
		return ": messages may not be left on the server, so \"leave a copy on the server\" will not work"
	case v != "":
		days, _ := cutWord(v)
		return ": the server may delete a message by its own policy " + days + " days after it was first downloaded, even without DELE"
	}
	return ""
}

// popCapability explains a CAPA line.
func popCapability(kw, params string) string {
	switch kw {
	case "USER":
		return "USER: log in with USER and PASS"
	case "TOP":
		return "TOP: headers and the first lines of a message can be fetched"
	case "UIDL":
		return "UIDL: messages have unique ids that survive between sessions"
	case "SASL":
		return "SASL: AUTH is supported, with mechanisms " + params
	case "STLS":
		return "STLS: the connection can be switched to TLS"
	case "PIPELINING":
		return "PIPELINING: several commands may be sent without waiting"
	case "RESP-CODES":
		return "RESP-CODES: -ERR replies carry codes such as [IN-USE]"
	case "AUTH-RESP-CODE":
		return "AUTH-RESP-CODE: a failed login says [AUTH] when the credentials are wrong"
	case "EXPIRE":
		return "EXPIRE: how long the server keeps messages (" + params + ")" + expireMeaning(params)
	case "LOGIN-DELAY":
		return "LOGIN-DELAY: minimum seconds between logins (" + params + ")"
	case "IMPLEMENTATION":
		return "IMPLEMENTATION: the server software (" + params + ")"
	case "UTF8":
		return "UTF8: UTF-8 may be used"
	}
	return "capability " + kw
}

// popPayload explains a payload in a POP3 session. The servers send
// messages as lines, so the only payload is the empty one a log reader
// puts where the log leaves a multi-line answer out (fetchmail logs RETR's
// "+OK", never the message; curl -v writes a listing to stdout): the
// multi-line answer ends there.
func (a *POP3Annotator) popPayload(l *Line, e wire.Event) {
	s := &a.pop
	if len(e.Data) > 0 || s.multi == "" {
		a.payloadGeneric(l, e)
		return
	}
	l.Verb = s.multi
	l.RFC = a.rfcOf(kb.Command, s.multi)
	what := "the message"
	switch s.multi {
	case "LIST":
		what = "the list of message numbers and sizes"
	case "UIDL":
		what = "the list of message numbers and unique ids"
	}
	l.Text = "[" + what + ": not in this log]"
	l.Note = what + ", and the \".\" line that ends it, are not in this log (the tool that wrote it logs the commands and first reply lines, not the data)"
	s.multi = ""
}

// POP3Annotator explains a POP3 session: each answer with the command it
// answers, in order (RFC 2449 PIPELINING included), and the maildrop as
// the session has seen it.
type POP3Annotator struct {
	base
	pop pop3State
}

// NewPOP3Annotator returns the annotator of one POP3 session.
func NewPOP3Annotator(opts AnnotateOptions) *POP3Annotator {
	a := &POP3Annotator{base: newBase(wire.POP3, opts)}
	a.pop.init()
	return a
}

// Annotate explains one event of the session (see Annotator).
func (a *POP3Annotator) Annotate(e wire.Event) Line { return a.annotate(e, a) }

func (a *POP3Annotator) state() string    { return a.pop.state }
func (a *POP3Annotator) startTLS(l *Line) { l.RFC = "RFC 2595 §4" }
