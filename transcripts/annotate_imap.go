package transcripts

import (
	"strconv"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// imapCmd is what the annotator remembers of a tagged command, for the
// explanation of its responses: which command a response belongs to is
// the model's fact (wire.Event's Verb, Tag, Answers), never worked out
// here.
type imapCmd struct {
	tag     string
	verb    string // "SELECT", "UID FETCH"
	args    string // the rest of the command line
	mailbox string // SELECT/EXAMINE/STATUS... argument, unquoted
	// malformed: the line could not be read as a command at all (no
	// command after the tag): its BAD is about the line, not a command.
	malformed bool
	// fetched counts the * FETCH responses seen while it was the current command.
	fetched int
}

// imapState is what an IMAP annotator remembers about the session.
type imapState struct {
	// cmds are the commands sent and not yet completed, oldest first:
	// looked up by the tag the model names, taken when the model says the
	// tag completed (Answers).
	cmds []imapCmd
	// lastVerb and lastTag are the command of the last client line, which
	// a line the log suppressed stands inside.
	lastVerb, lastTag string
	state             string // "not authenticated", "authenticated", "selected INBOX", "logout"
	greeted           bool
	// serverSeen: the log shows the server's side (some tools log only
	// the commands), so a command sent before the replies to earlier
	// ones is pipelined, not a reply left out of the log.
	serverSeen bool
	// serverLiteral: the response the next server Payload is part of.
	serverLiteral string
	// serverContinuing: the next server line continues a response after a literal.
	serverContinuing bool
	// resp is an untagged response up to its last literal (respOpen),
	// respLit that literal's size and respLitText its placeholder, for
	// the line that continues the response (imapResponseRest).
	resp        string
	respOpen    bool
	respLit     int
	respLitText string
	// ivals is the parser of ENVELOPE and BODYSTRUCTURE values, its arena
	// kept from one response to the next.
	ivals ivalParser
	// literalPending: the last server line announced a literal whose bytes
	// have not come (yet, or at all: a log may leave them out).
	literalPending bool
	challenged     bool // an AUTHENTICATE challenge is outstanding
	idling         bool // the server said "+ idling"
	// began is set by the session's first line; midway when that line was
	// not the server's greeting: an imported log that starts after the
	// connection opened, whose earlier commands the annotator never saw.
	began, midway bool
	exists        int  // messages in the selected mailbox, as last reported
	existsSeen    bool // an EXISTS has been seen, so exists is the client's count
	lastBad       bool // the last tagged response was BAD to an unknown command before login
	// caps is the server's capability list as last seen, nil before any.
	caps     imapCaps
	greeting string // the text of the server's greeting, for vendor hints
}

func (s *imapState) init() {
	s.state = "not authenticated"
}

// imapVerbs are the commands this tutor explains (their RFC sections are
// in the knowledge base: rfcOf).
var imapVerbs = map[string]bool{
	"CAPABILITY": true, "NOOP": true, "LOGOUT": true, "STARTTLS": true,
	"AUTHENTICATE": true, "LOGIN": true, "ENABLE": true, "SELECT": true,
	"EXAMINE": true, "CREATE": true, "DELETE": true, "RENAME": true,
	"SUBSCRIBE": true, "UNSUBSCRIBE": true, "LIST": true, "NAMESPACE": true,
	"STATUS": true, "APPEND": true, "IDLE": true, "LSUB": true,
	"CLOSE": true, "UNSELECT": true, "EXPUNGE": true, "SEARCH": true,
	"FETCH": true, "STORE": true, "COPY": true, "MOVE": true,
	"UID": true, "CHECK": true, "ID": true,
}

func (a *IMAPAnnotator) imapLine(l *Line, e wire.Event) {
	if e.Dir == wire.FromClient {
		a.imapClient(l, e)
	} else {
		a.imapServer(l, e)
	}
	if l.State == "" {
		l.State = a.imap.state
	}
}

// find returns the oldest command sent with tag, nil when none was seen.
func (s *imapState) find(tag string) *imapCmd {
	for i := range s.cmds {
		if s.cmds[i].tag == tag {
			return &s.cmds[i]
		}
	}
	return nil
}

// add remembers a command the client started (or the model names).
func (s *imapState) add(c imapCmd) *imapCmd {
	if len(s.cmds) >= 1000 { // bounded: a client that never reads cannot grow it forever
		return nil
	}
	s.cmds = append(s.cmds, c)
	return &s.cmds[len(s.cmds)-1]
}

// take forgets and returns the oldest command with tag.
func (s *imapState) take(tag string) (imapCmd, bool) {
	for i := range s.cmds {
		if s.cmds[i].tag == tag {
			c := s.cmds[i]
			s.cmds = append(s.cmds[:i], s.cmds[i+1:]...)
			return c, true
		}
	}
	return imapCmd{}, false
}

// cmdOf is the command a server line belongs to by the model (e.Verb,
// e.Tag: for untagged data the oldest command awaiting its reply, RFC
// 9051 §5.5), nil for none (the greeting, unilateral data). One the
// annotator did not see start (a log that begins midway) is remembered
// from here on, with its verb only.
func (a *IMAPAnnotator) cmdOf(e wire.Event) *imapCmd {
	if e.Verb == "" {
		return nil
	}
	if c := a.imap.find(e.Tag); c != nil {
		return c
	}
	return a.imap.add(imapCmd{tag: e.Tag, verb: e.Verb})
}

// imapClient explains a client line by the model's facts: a line that
// continues a command (an AUTHENTICATE response, the DONE ending IDLE,
// the rest after a literal), or one that starts a command.
func (a *IMAPAnnotator) imapClient(l *Line, e wire.Event) {
	s := &a.imap
	text := a.lineText(e)
	if !s.began {
		s.began, s.midway = true, true
	}
	done := strings.EqualFold(text, "DONE")
	switch {
	case suppressedByLog(text):
		// Not on the wire, so not in the model: it stands for what the
		// client sent inside the command it was sending.
		l.Verb, l.Tag = s.lastVerb, s.lastTag
		l.Note = suppressedNote
	case e.Continues && e.Verb == "AUTHENTICATE":
		a.imapSASLResponse(l, e, text)
	case e.Continues && e.Verb == "IDLE" && done, s.midway && len(s.cmds) == 0 && done:
		a.imapDone(l, e)
	case e.Continues && e.Verb != "IDLE":
		a.imapCommandRest(l, e, text)
	default:
		a.imapCommand(l, e, text)
	}
	if l.Verb != "" {
		s.lastVerb, s.lastTag = l.Verb, l.Tag
	}
	a.imapLiteralMarker(l, e)
	if lineEnding(e.Data) == "LF" {
		l.Note += " (this line ends with a bare LF; IMAP lines end with CRLF, RFC 9051 §2.2)"
	}
}

// imapLiteralMarker explains the literal a client line announces at its end.
func (a *IMAPAnnotator) imapLiteralMarker(l *Line, e wire.Event) {
	n := e.LiteralSize
	switch e.Literal {
	case wire.NoLiteral:
		return
	case wire.SyncLiteral:
		l.Note += "; {" + strconv.Itoa(n) + "} announces a literal of " + plural(n, "byte") + ": the client waits for the server's \"+\" before sending it"
	default:
		l.Note += "; {" + strconv.Itoa(n) + "+} is a non-synchronising literal: the bytes follow at once"
	}
}

// imapSASLResponse explains a client's answer inside AUTHENTICATE.
func (a *IMAPAnnotator) imapSASLResponse(l *Line, e wire.Event, text string) {
	l.Verb, l.Tag = e.Verb, e.Tag
	l.RFC = "RFC 9051 §6.2.2"
	cur := a.imap.find(e.Tag)
	dec, ok := decodeBase64(text)
	switch {
	case text == "*":
		l.Note = "the client cancels the login exchange"
	case suppressedByLog(text):
		l.Note = suppressedNote
	case !ok:
		l.Note = "the login response is not valid base64: the server will answer BAD"
		l.Level = Warning
	case cur != nil && strings.Contains(strings.ToUpper(cur.args), "PLAIN"):
		l.Note, _ = a.saslPlain(dec)
		l.Note = "credentials " + l.Note
	default:
		l.Note = "the client's answer to the challenge, base64-encoded"
	}
}

// imapDone explains the DONE that ends IDLE.
func (a *IMAPAnnotator) imapDone(l *Line, e wire.Event) {
	l.Verb, l.Tag = "IDLE", e.Tag
	l.Note = "DONE ends IDLE: the server will close it with a tagged OK"
	if e.Verb == "" {
		l.Note = "DONE ends IDLE (the IDLE command itself was sent before this log begins): the server will close it with a tagged OK"
	}
	l.RFC = "RFC 2177 §3"
	a.want(kb.Command, "DONE")
	a.imap.idling = false
}

// imapCommandRest explains the rest of a command after a literal.
func (a *IMAPAnnotator) imapCommandRest(l *Line, e wire.Event, text string) {
	l.Verb, l.Tag = e.Verb, e.Tag
	l.Note = "the command continues after the literal"
	l.RFC = "RFC 9051 §4.3"
	if l.Verb != "" && l.Verb != wire.RefusedCommand {
		a.want(kb.Command, l.Verb)
	}
	if e.Dropped {
		l.Note = "the rest of a command the server already refused: the relay drops these bytes, so they are never read as commands (RFC 7888 §4)"
		l.Level = Warning
		return
	}
	if text == "" {
		l.Note = "the line break ends the command: the literal was its last argument"
	}
	if l.Verb == "APPEND" && text != "" && text != ")" && e.Literal == wire.NoLiteral {
		l.Note = "APPEND ends right after the message literal, so this text is not part of the command: " +
			"a strict server answers BAD; mailtutor ignores the text and stores the message"
		l.Level = Warning
	}
}

// imapCommand explains a line that starts a command.
func (a *IMAPAnnotator) imapCommand(l *Line, e wire.Event, text string) {
	s := &a.imap
	tag, rest := cutWord(text)
	word, args := cutWord(rest)
	verb := strings.ToUpper(word)
	if verb == "UID" {
		sub, more := cutWord(args)
		verb, args = "UID "+strings.ToUpper(sub), more
	}
	l.Tag, l.Verb = tag, verb
	if tag == "" {
		l.Note = "an empty line is not a command: the server will answer BAD"
		l.Level = Warning
		l.RFC = "RFC 9051 §2.2.1"
		return
	}
	if e.Head != wire.IMAPHeadOK {
		// The note quotes the line back: with its secret masked (a
		// refused LOGIN carried the password all the same). The model
		// names the tag when the refusal will.
		a.imapBadHead(l, strings.TrimRight(string(e.Masked()), "\r\n"), e.Tag, e.Head)
		return
	}
	if e.QuoteOpen {
		l.Note = "a quoted string is opened with \" but not closed on this line: the server will answer BAD"
		l.Level = Warning
		l.RFC = "RFC 9051 §4.3"
		s.add(imapCmd{tag: tag, verb: verb, malformed: true})
		return
	}
	if _, tagIsCmd := imapVerbs[strings.ToUpper(tag)]; tagIsCmd {
		if _, verbIsCmd := imapVerbs[strings.ToUpper(word)]; !verbIsCmd {
			l.Tag, l.Verb = "", strings.ToUpper(tag)
			l.Note = "this command has no tag: IMAP commands start with a tag of the client's choosing (\"a1 " + a.show(text[:len(text)-len(rest)]) +
				"...\"), so the server takes \"" + a.show(tag) + "\" for the tag and \"" + a.show(word) + "\" for the command, which it does not know"
			if s.state == "not authenticated" {
				l.Note += ". Before login the server will answer BAD and hang up"
			}
			l.Level = Warning
			l.RFC = "RFC 9051 §2.2.1"
			s.add(imapCmd{tag: tag, verb: strings.ToUpper(word), args: args})
			return
		}
	}
	cmd := imapCmd{tag: tag, verb: verb, args: args}
	base := strings.TrimPrefix(verb, "UID ")
	known := imapVerbs[base]
	rfc := a.rfcOf(kb.Command, base)
	l.RFC = rfc
	if strings.HasPrefix(verb, "UID ") {
		l.RFC = a.rfcOf(kb.Command, "UID")
	}
	if need, ok := imapNeedsArgs[base]; ok && strings.TrimSpace(args) == "" {
		l.Note = base + " needs " + need + ": the server will answer BAD"
		l.Level = Warning
		s.add(cmd)
		return
	}
	if !a.imapSessionNote(l, &cmd, base, e) && !a.imapMailboxNote(l, &cmd, base) && !a.imapMessageNote(l, &cmd, base) &&
		!a.imapExtensionCommand(l, verb, base) {
		a.imapUnknownCommand(l, word)
	}
	if known {
		a.want(kb.Command, verb)
	}
	if len(s.cmds) > 0 && s.serverSeen {
		prev := s.cmds[0]
		l.Note += "; pipelined: sent while " + a.show(prev.tag+" "+prev.verb) + " still runs; the server answers in order, and the tagged reply " +
			a.show(tag) + " completes only this command"
	}
	s.add(cmd)
}

// imapSessionNote explains the commands about the session itself (RFC 9051
// §6.1, §6.2): capabilities, TLS, login, extensions, IDLE.
func (a *IMAPAnnotator) imapSessionNote(l *Line, cmd *imapCmd, base string, e wire.Event) bool {
	args := cmd.args
	switch base {
	case "CAPABILITY":
		l.Note = "asks what the server supports"
	case "NOOP":
		l.Note = "does nothing, but lets the server report changes (new mail, deletions)"
	case "CHECK":
		l.Note = "asks the server to save its state (a no-op on modern servers)"
	case "LOGOUT":
		l.Note = "ends the session: the server answers * BYE, then the tagged OK"
	case "STARTTLS":
		if a.imap.state == "not authenticated" {
			l.Note = "asks to switch this connection to TLS before logging in"
		} else {
			l.Note = "asks to switch to TLS, but after login it is too late: STARTTLS is only allowed before authentication (RFC 9051 §6.2.1)"
			l.Level = Warning
		}
	case "AUTHENTICATE":
		mech, initial := cutWord(args)
		l.Note = "logs in with the SASL mechanism " + a.show(strings.ToUpper(mech))
		a.want(kb.Mechanism, strings.ToUpper(mech))
		if p := a.piece(lookup{kb.Mechanism, strings.ToUpper(mech)}); p.found && !strings.EqualFold(mech, "PLAIN") && !strings.EqualFold(mech, "LOGIN") {
			l.Note += " (" + p.summary + ")"
		}
		if initial != "" {
			if dec, ok := decodeBase64(initial); ok && strings.EqualFold(mech, "PLAIN") {
				note, _ := a.saslPlain(dec)
				l.Note += ": " + note
			}
		}
	case "LOGIN":
		user, _ := cutWord(args)
		l.Note = "logs in as " + a.show(strings.Trim(user, "\"")) + " with password " + a.hide(imapLoginPassword(args))
		if !e.Encrypted {
			l.Note += ", in clear text: anyone on the path can read it unless the connection is encrypted"
		}
	case "ENABLE":
		l.Note = "turns on extensions: " + a.show(args)
	case "NAMESPACE":
		l.Note = "asks how mailbox names are organised (prefix and hierarchy separator)"
	case "IDLE":
		l.Note = "asks the server to push changes (new mail, deletions) as they happen, until the client sends DONE"
		l.RFC = "RFC 2177 §3"
	case "ID":
		l.Note = "tells the server which client software this is, and asks for the server's"
	default:
		return false
	}
	return true
}

// imapMailboxNote explains the commands on mailboxes (RFC 9051 §6.3, §6.4.1-2).
func (a *IMAPAnnotator) imapMailboxNote(l *Line, cmd *imapCmd, base string) bool {
	args := cmd.args
	switch base {
	case "SELECT", "EXAMINE":
		cmd.mailbox = imapMailbox(args)
		l.Note = "opens mailbox " + a.show(cmd.mailbox)
		if base == "EXAMINE" {
			l.Note += " read-only"
		}
		l.Note += ": the server reports its size, flags and UIDVALIDITY, then OK"
	case "CREATE", "DELETE", "SUBSCRIBE", "UNSUBSCRIBE":
		cmd.mailbox = imapMailbox(args)
		l.Note = thirdPerson(strings.ToLower(base)) + " mailbox " + a.show(cmd.mailbox)
	case "RENAME":
		l.Note = "renames a mailbox: " + a.show(args)
	case "LIST", "LSUB":
		l.Note = a.imapListNote(base, args)
	case "STATUS":
		cmd.mailbox = imapMailbox(args)
		l.Note = "asks for counters of mailbox " + a.show(cmd.mailbox) + " without selecting it"
	case "APPEND":
		cmd.mailbox = imapMailbox(args)
		l.Note = "adds a message to mailbox " + a.show(cmd.mailbox) + " (what a mail program does to save a sent message)"
	case "CLOSE":
		l.Note = "closes the mailbox, removing messages marked \\Deleted (silently)"
	case "UNSELECT":
		l.Note = "closes the mailbox without removing anything"
	default:
		return false
	}
	return true
}

// imapMessageNote explains the commands on the messages of the selected
// mailbox (RFC 9051 §6.4).
func (a *IMAPAnnotator) imapMessageNote(l *Line, cmd *imapCmd, base string) bool {
	verb, args := cmd.verb, cmd.args
	switch base {
	case "EXPUNGE":
		l.Note = "removes every message marked \\Deleted from the mailbox for good"
		if verb == "UID EXPUNGE" {
			l.Note = "removes for good " + imapSet(verb, a.show(strings.TrimSpace(args))) + " if marked \\Deleted, and nothing else (UIDPLUS): " +
				"messages another client marked \\Deleted stay"
			l.RFC = "RFC 4315 §2.1"
		}
	case "SEARCH":
		l.Note = "searches the mailbox: " + a.show(args)
		if verb == "UID SEARCH" {
			l.Note += "; the answer lists UIDs, not message numbers"
		}
	case "FETCH":
		set, items := cutWord(args)
		l.Note = "fetches " + a.show(items) + " of " + imapSet(verb, a.show(set))
		a.imapBeyond(l, verb, set)
	case "STORE":
		set, items := cutWord(args)
		l.Note = "changes flags of " + imapSet(verb, a.show(set)) + ": " + a.show(items) +
			" (+FLAGS adds, -FLAGS removes, FLAGS replaces; .SILENT suppresses the FETCH replies)"
		a.imapBeyond(l, verb, set)
	case "COPY", "MOVE":
		set, dest := cutWord(args)
		cmd.mailbox = imapMailbox(dest)
		l.Note = thirdPerson(strings.ToLower(base)) + " " + imapSet(verb, a.show(set)) + " to " + a.show(cmd.mailbox)
		a.imapBeyond(l, verb, set)
	default:
		return false
	}
	return true
}

// imapUnknownCommand explains a command no RFC this tutor knows defines.
func (a *IMAPAnnotator) imapUnknownCommand(l *Line, word string) {
	l.Note = a.show(word) + " is not an IMAP command: the server will answer BAD"
	if a.imap.state == "not authenticated" {
		l.Note += " and, before login, hang up (* BYE)"
	}
	l.Level = Warning
	l.RFC = "RFC 9051 §6"
}

// imapSet names the messages a sequence set picks: "message 3",
// "messages 1:5", "the message with UID 7", "the messages with UIDs 1:*".
func imapSet(verb, set string) string {
	uid := strings.HasPrefix(verb, "UID ")
	switch {
	case uid && isDigits(set):
		return "the message with UID " + set
	case uid:
		return "the messages with UIDs " + set
	case isDigits(set):
		return "message " + set
	}
	return "messages " + set
}

// imapListNote explains a LIST or LSUB command, with LIST-EXTENDED's
// selection options before the reference and its RETURN options after the
// patterns (RFC 5258; RFC 6154's SPECIAL-USE, RFC 5819's STATUS), as
// Thunderbird sends them: list (subscribed) "" "*" return (special-use).
func (a *IMAPAnnotator) imapListNote(verb, args string) string {
	rest := strings.TrimSpace(args)
	var sel []string
	if strings.HasPrefix(rest, "(") {
		var list string
		list, rest = cutParens(rest)
		sel = strings.Fields(strings.ToUpper(list))
	}
	ref, rest := imapAString(rest)
	var patterns []string
	if rest = strings.TrimSpace(rest); strings.HasPrefix(rest, "(") {
		var list string
		list, rest = cutParens(rest)
		for list = strings.TrimSpace(list); list != ""; list = strings.TrimSpace(list) {
			var p string
			p, list = imapAString(list)
			patterns = append(patterns, p)
		}
	} else {
		var p string
		p, rest = imapAString(rest)
		patterns = append(patterns, p)
	}
	what := "mailboxes"
	if verb == "LSUB" {
		what = "subscribed mailboxes"
	}
	var only []string
	for _, o := range sel {
		switch o {
		case "SUBSCRIBED":
			what = "subscribed mailboxes"
		case "SPECIAL-USE":
			only = append(only, "those with a special use (Sent, Trash, Drafts...)")
		case "REMOTE":
			only = append(only, "those on other servers too")
		case "RECURSIVEMATCH":
			only = append(only, "parents of matching subscribed mailboxes too")
		}
	}
	quoted := make([]string, len(patterns))
	for i, p := range patterns {
		quoted[i] = "\"" + a.show(p) + "\""
	}
	note := "lists " + what + " matching " + strings.Join(quoted, " or ")
	if ref != "" {
		note += " under \"" + a.show(ref) + "\""
	}
	if len(only) > 0 {
		note += ", only " + strings.Join(only, ", ")
	}
	note += " (\"*\" matches everything, \"%\" one level)"
	note += a.imapListReturn(rest)
	if len(sel) > 0 || strings.Contains(strings.ToUpper(rest), "RETURN") || len(patterns) > 1 {
		note += " (LIST-EXTENDED, RFC 5258)"
	}
	return note
}

// imapListReturn explains LIST-EXTENDED's RETURN options (RFC 5258).
func (a *IMAPAnnotator) imapListReturn(rest string) string {
	word, after := cutWord(strings.TrimSpace(rest))
	if !strings.EqualFold(word, "RETURN") {
		return ""
	}
	list, _ := cutParens(strings.TrimSpace(after))
	var ret []string
	for opts := list; opts != ""; {
		var o string
		o, opts = cutWord(strings.TrimSpace(opts))
		switch strings.ToUpper(o) {
		case "SPECIAL-USE":
			ret = append(ret, "its special use (\\Sent, \\Trash, \\Drafts...)")
		case "CHILDREN":
			ret = append(ret, "whether it has child mailboxes")
		case "SUBSCRIBED":
			ret = append(ret, "whether it is subscribed")
		case "STATUS":
			var counters string
			counters, opts = cutParens(strings.TrimSpace(opts))
			ret = append(ret, "its counters "+a.show(counters)+" (LIST-STATUS, RFC 5819)")
		case "":
		default:
			ret = append(ret, a.show(o))
		}
	}
	if len(ret) == 0 {
		return ""
	}
	return "; for each it also returns " + strings.Join(ret, ", ")
}

// cutParens splits "(a (b) c) rest" into "a (b) c" and " rest"; without a
// closing parenthesis, everything after "(" is the list.
func cutParens(s string) (inside, rest string) {
	if !strings.HasPrefix(s, "(") {
		return "", s
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[1:i], s[i+1:]
			}
		}
	}
	return s[1:], ""
}

// imapMailbox returns the first argument, unquoted.
func imapMailbox(args string) string {
	name, _ := imapAString(strings.TrimSpace(args))
	return name
}

// imapAString splits off the first argument of an IMAP response: a quoted
// string (unquoted) or an atom.
func imapAString(s string) (first, rest string) {
	s = strings.TrimLeft(s, " ")
	if strings.HasPrefix(s, "\"") {
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(s[1:i]), s[i+1:]
			}
		}
		return s[1:], ""
	}
	return cutWord(s)
}

// imapLoginPassword returns the second LOGIN argument.
func imapLoginPassword(args string) string {
	_, pw := cutWord(args)
	return strings.Trim(pw, "\"")
}

func (a *IMAPAnnotator) imapServer(l *Line, e wire.Event) {
	s := &a.imap
	s.serverSeen = true
	text := a.lineText(e)
	if !s.began {
		s.began = true
		word, _ := cutWord(strings.TrimPrefix(text, "* "))
		s.midway = !strings.HasPrefix(text, "* ") || !isIMAPGreeting(word)
	}
	// A log may leave a literal's bytes out (curl -v, mbsync, imaplib):
	// the line after the announcement continues the response all the same.
	unshown := s.literalPending && (text == ")" || strings.HasPrefix(text, " "))
	s.literalPending = false
	continued := s.serverContinuing || unshown
	s.serverContinuing = false
	switch {
	case continued:
		a.imapResponseRest(l, e, unshown)
	case strings.HasPrefix(text, "+"):
		a.imapContinuation(l, e, strings.TrimSpace(text[1:]))
		return // its Literal is the client's, which it says go ahead to
	case strings.HasPrefix(text, "* "):
		a.imapUntagged(l, e, text[2:])
	default:
		a.imapTagged(l, e, text)
	}
	a.imapServerLiteral(l, e, text, continued)
}

// imapServerLiteral notes the literal a server line announces at its end,
// and keeps the response so far for the line after it.
func (a *IMAPAnnotator) imapServerLiteral(l *Line, e wire.Event, text string, continued bool) {
	s := &a.imap
	n := e.LiteralSize
	if e.Literal == wire.NoLiteral {
		s.resp, s.respOpen = "", false
		return
	}
	s.serverLiteral = l.Code
	// An empty literal has no bytes to wait for: the next line goes on.
	s.literalPending, s.serverContinuing = n > 0, n == 0
	body := strings.TrimSuffix(text, "{"+strconv.Itoa(n)+"}")
	switch {
	case continued && s.respOpen && len(s.resp)+len(body) > maxResp:
		// A response of endless literals: stop keeping it (its items
		// are no longer explained), so memory stays bounded.
		s.resp, s.respOpen = "", false
	case continued && s.respOpen:
		s.resp += s.respLitText + body
	default:
		s.resp, s.respOpen = body, strings.HasPrefix(text, "* ")
	}
	s.respLit = n
	s.respLitText = "\"[a literal of " + plural(n, "byte") + "]\""
	if n == 0 {
		s.respLitText = `""`
	}
}

// maxResp bounds the response kept across literals (imapServerLiteral).
const maxResp = 64 << 10

// literalAsString is what a short one-line literal stands for in the
// response kept for the line after it: a quoted string, so that an
// ENVELOPE's subject sent as a literal is shown.
func literalAsString(b []byte) (string, bool) {
	if len(b) > 200 || strings.ContainsAny(string(b), "\r\n") {
		return "", false
	}
	return "\"" + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(string(b)) + "\"", true
}

// imapResponseRest explains a server line that continues a response after
// a literal. The response so far is kept with each literal as a
// placeholder, so that what completes on this line (an ENVELOPE whose
// subject came as a literal, a BODYSTRUCTURE after a BODY[] literal) is
// explained like a response that fits one line.
func (a *IMAPAnnotator) imapResponseRest(l *Line, e wire.Event, unshown bool) {
	s := &a.imap
	text := a.lineText(e)
	l.Verb, l.Tag = e.Verb, e.Tag
	l.Code = s.serverLiteral
	l.RFC = "RFC 9051 §4.3"
	a.want(kb.Response, s.serverLiteral)
	l.Note = "the rest of the " + s.serverLiteral + " response, after the literal"
	if text == ")" {
		l.Note = "the closing parenthesis ends the " + s.serverLiteral + " response"
	}
	if s.respOpen && s.serverLiteral == "FETCH" {
		a.imapFetchRest(l, text)
	}
	if unshown {
		l.Note += " (the log leaves the literal's bytes out)"
	}
}

// imapFetchRest explains the FETCH items that end on a line after a
// literal.
func (a *IMAPAnnotator) imapFetchRest(l *Line, text string) {
	s := &a.imap
	// "* 1 FETCH (BODY[] " + the literal + the rest: the items start
	// after "FETCH".
	head := strings.TrimPrefix(s.resp, "* ")
	num, after := cutWord(head)
	_, items := cutWord(after)
	joined := items + s.respLitText + text
	start := len(items) + len(s.respLitText)
	var done []fetchItem
	for _, it := range fetchItems(joined) {
		if it.end > start {
			done = append(done, it)
		}
	}
	if len(done) == 0 {
		return
	}
	note, detail := a.fetchItemsNote(done)
	l.Note = "the rest of message " + a.show(num) + "'s FETCH response, after the literal: " + note
	l.Detail = detail
	l.RFC = "RFC 9051 §7.5.2"
}

func (a *IMAPAnnotator) imapContinuation(l *Line, e wire.Event, msg string) {
	s := &a.imap
	l.Code = "+"
	a.want(kb.Response, "+")
	l.Detail = "A line starting with \"+\" is a *continuation request*: the server is waiting for more from the client. " +
		"It means one of three things, depending on what the client just did: go ahead and send the literal you announced with {N}; " +
		"here is an AUTHENTICATE challenge (base64), answer it; or, after IDLE, \"I am idling\": changes will be pushed until you send DONE."
	l.Verb, l.Tag = e.Verb, e.Tag // the command that waits, by the model
	switch {
	case e.Literal == wire.SyncLiteral:
		l.Note = "go ahead: the server is ready for the literal of " + plural(e.LiteralSize, "byte")
		l.RFC = "RFC 9051 §4.3"
	case e.Verb == "AUTHENTICATE":
		s.challenged = true
		dec, ok := decodeBase64(msg)
		switch {
		case msg == "" || ok && dec == "":
			l.Note = "the server is ready for the credentials: the client sends them base64-encoded on the next line"
		case ok:
			l.Note = "the server asks " + a.printable(dec) + " (base64); the client answers on the next line"
		default:
			l.Note = "a login challenge; the client answers on the next line"
		}
		l.RFC = "RFC 9051 §6.2.2"
	case e.Verb == "IDLE":
		s.idling = true
		l.Note = "the server is idling: from now on it reports changes (* EXISTS, * EXPUNGE, * FETCH) the moment they happen; the client sends DONE to stop"
		l.RFC = "RFC 2177 §3"
	default:
		l.Note = "the server is ready for more of the command (a continuation request)"
		l.RFC = "RFC 9051 §7.5"
	}
}

func (a *IMAPAnnotator) imapUntagged(l *Line, e wire.Event, rest string) {
	cur := a.cmdOf(e)
	if cur != nil {
		l.Verb, l.Tag = cur.verb, cur.tag
	}
	first, after := cutWord(rest)
	kind := strings.ToUpper(first)
	num := -1
	if n, err := strconv.Atoi(first); err == nil {
		num = n
		second, more := cutWord(after)
		kind, after = strings.ToUpper(second), more
	}
	l.Code = kind
	a.want(kb.Response, kind)
	l.RFC = "RFC 9051 §7"
	switch kind {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		code, text := imapRespCode(after)
		l.RespCode = code
		if code != "" {
			codeWord, _ := cutWord(code)
			l.RespCode = strings.ToUpper(codeWord)
			a.want(kb.ResponseCode, l.RespCode)
		}
		a.imapUntaggedStatus(l, kind, code, a.show(text), cur)
	case "CAPABILITY":
		l.Note = "the server's capabilities: " + a.show(after)
		l.RFC = "RFC 9051 §7.2.2"
		a.imapSawCaps(after)
	case "ENABLED":
		l.Note = "extensions now enabled: " + a.show(after)
	case "LIST", "LSUB":
		l.Note = "a mailbox: " + a.show(after) + " (attributes, hierarchy separator, name)"
		l.RFC = "RFC 9051 §7.3.1"
	case "STATUS":
		l.Note = "counters of a mailbox: " + a.show(after)
		l.RFC = "RFC 9051 §7.3.4"
	case "FLAGS":
		l.Note = "the flags defined in this mailbox: " + a.show(after)
		l.RFC = "RFC 9051 §7.4.1"
	case "SEARCH", "ESEARCH":
		if strings.TrimSpace(after) == "" {
			l.Note = "no message matched the search"
		} else if cur != nil && cur.verb == "UID SEARCH" {
			l.Note = "UIDs of the messages that matched: " + a.show(after)
		} else {
			l.Note = "numbers of the messages that matched: " + a.show(after)
		}
		l.RFC = "RFC 9051 §7.3.5"
	case "NAMESPACE":
		l.Note = "the mailbox namespaces: " + a.show(after)
	case "ID":
		l.Note = "the server's identity: " + a.show(after)
	case "EXISTS":
		a.imapExists(l, num, cur)
	case "RECENT":
		a.imapRecent(l, num)
	case "EXPUNGE":
		a.imapExpunge(l, num, cur)
	case "FETCH":
		if cur != nil {
			cur.fetched++
		}
		a.imapFetch(l, num, after, cur)
	default:
		if a.imapExtensionData(l, kind, after) {
			break
		}
		l.Note = "untagged data " + a.show(first)
		l.Unknown = true
	}
}

// imapRecent explains "* n RECENT".
func (a *IMAPAnnotator) imapRecent(l *Line, num int) {
	// RFC 3501 §2.3.2: \Recent marks the messages this session is the
	// first to be told about; RECENT counts them.
	switch num {
	case 0:
		l.Note = "no message has \\Recent: this session is the first to be told about none of them"
	case 1:
		l.Note = "1 message has \\Recent: this session is the first to be told about it"
	default:
		l.Note = plural(num, "message") + " have \\Recent: this session is the first to be told about them"
	}
	l.Note += " (\\Recent is dropped in IMAP4rev2)"
	if a.imap.idling {
		l.Note = "while the client idles: " + l.Note
	}
	l.RFC = "RFC 3501 §7.3.2; §2.3.2"
}

// imapBadHead explains a line whose start the server cannot read as a
// command (wire.IMAPHeadOf): the simulator, like a strict server, answers
// it with BAD and runs nothing. tag is what could be read as a tag.
func (a *IMAPAnnotator) imapBadHead(l *Line, text, tag string, problem wire.IMAPHeadProblem) {
	l.Level = Warning
	l.RFC = "RFC 9051 §2.2.1"
	l.Tag, l.Verb = "", ""
	words := strings.Fields(text)
	if problem == wire.IMAPHeadBlank || len(words) == 0 {
		l.Note = "a line of blanks is not a command: the server will answer BAD"
		return
	}
	first := strings.ToUpper(words[0])
	_, firstIsCmd := imapVerbs[first]
	switch {
	case problem == wire.IMAPHeadNoTag:
		l.Note = "this line does not start with a tag: every IMAP command starts with a tag of the client's choosing (\"a1 " +
			a.show(strings.TrimSpace(text)) + "\"): the server will answer BAD (untagged, * BAD)"
	case problem == wire.IMAPHeadOneWord && firstIsCmd:
		l.Verb = first
		l.Note = first + " is a command, but it needs a tag of the client's choosing first (\"a1 " + a.show(text) +
			"\"): the server will answer BAD (untagged, * BAD)"
	case problem == wire.IMAPHeadOneWord:
		l.Note = "a command needs a tag and a command name (for example \"a1 NOOP\"): the server will answer BAD"
	case problem == wire.IMAPHeadSpaces:
		l.Tag = tag
		l.Note = "exactly one space goes between the tag and the command (\"" + a.show(tag+" "+strings.Join(words[1:], " ")) +
			"\"): the server will answer BAD"
	case problem == wire.IMAPHeadPlusInTag:
		l.Note = "a tag may not contain \"+\" (RFC 9051 §9: a \"+\" line is the server asking for more): the server will answer BAD (untagged, * BAD)"
	case problem == wire.IMAPHeadUIDAlone:
		l.Tag = tag
		l.Note = "UID needs a command after it (UID FETCH, UID SEARCH, UID STORE, UID COPY, UID MOVE, UID EXPUNGE): the server will answer BAD"
	case firstIsCmd:
		l.Tag, l.Verb = tag, first
		l.Note = "this command has no tag: IMAP commands start with a tag of the client's choosing (\"a1 " + a.show(text) +
			"\"), so the server takes \"" + a.show(tag) + "\" for the tag and finds no command after it: the server will answer BAD"
	default:
		l.Tag = tag
		l.Note = "after the tag comes a command name, a plain word such as NOOP: the server will answer BAD"
	}
	if tag != "" {
		// The model awaits its tagged BAD (Answers wire.RefusedCommand).
		a.imap.add(imapCmd{tag: tag, malformed: true})
	}
}

// imapNeedsArgs are the commands that cannot be given without arguments,
// with what they need.
var imapNeedsArgs = map[string]string{
	"FETCH":        "a message set and the data items, e.g. FETCH 1 (FLAGS)",
	"STORE":        "a message set, FLAGS, +FLAGS or -FLAGS and the flags, e.g. STORE 1 +FLAGS (\\Seen)",
	"COPY":         "a message set and a mailbox, e.g. COPY 1 Archive",
	"MOVE":         "a message set and a mailbox, e.g. MOVE 1 Archive",
	"SEARCH":       "search keys, e.g. SEARCH UNSEEN",
	"SELECT":       "a mailbox name, e.g. SELECT INBOX",
	"EXAMINE":      "a mailbox name, e.g. EXAMINE INBOX",
	"CREATE":       "a mailbox name, e.g. CREATE Projects",
	"DELETE":       "a mailbox name, e.g. DELETE Projects",
	"SUBSCRIBE":    "a mailbox name, e.g. SUBSCRIBE Projects",
	"UNSUBSCRIBE":  "a mailbox name, e.g. UNSUBSCRIBE Projects",
	"RENAME":       "the old and the new mailbox name, e.g. RENAME Projects Archive/Projects",
	"STATUS":       "a mailbox and the items, e.g. STATUS INBOX (MESSAGES UNSEEN)",
	"LIST":         "a reference and a pattern, e.g. LIST \"\" *",
	"LSUB":         "a reference and a pattern, e.g. LSUB \"\" *",
	"APPEND":       "a mailbox and the message as a literal, e.g. APPEND Drafts {310}",
	"LOGIN":        "a user name and a password, e.g. LOGIN alice secret",
	"AUTHENTICATE": "a mechanism name, e.g. AUTHENTICATE PLAIN",
	"ENABLE":       "the extensions to turn on, e.g. ENABLE IMAP4rev2",
}

// isIMAPGreeting reports whether an untagged status word can open a
// session (RFC 9051 §7.1: OK, PREAUTH or BYE).
func isIMAPGreeting(word string) bool {
	switch strings.ToUpper(word) {
	case "OK", "PREAUTH", "BYE":
		return true
	}
	return false
}

// imapRespCode splits "[CODE args] text".
func imapRespCode(s string) (code, text string) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") {
		return "", s
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return "", s
	}
	return s[1:end], strings.TrimSpace(s[end+1:])
}

func (a *IMAPAnnotator) imapUntaggedStatus(l *Line, kind, code, text string, cur *imapCmd) {
	s := &a.imap
	codeWord, codeArg := cutWord(code)
	codeWord = strings.ToUpper(codeWord)
	if codeWord == "CAPABILITY" {
		a.imapSawCaps(codeArg)
	}
	switch {
	case !s.greeted && cur == nil && (kind == "OK" || kind == "PREAUTH" || kind == "BYE"):
		s.greeted = true
		l.Verb, l.Tag = "", ""
		l.RFC = "RFC 9051 §7.1"
		switch kind {
		case "OK":
			l.Note = "the server is ready (" + text + "); the session starts not authenticated: log in with LOGIN or AUTHENTICATE"
			l.Note += exchangeGreetingNote(text)
			s.greeting = text
			l.Level = Success
		case "PREAUTH":
			s.state = "authenticated"
			l.Note = "the server is ready and already knows who the client is: no login needed"
			l.Level = Success
		case "BYE":
			s.state = "logout"
			l.Note = "the server refuses the session (" + text + ")"
			l.Level = Warning
		}
		if codeWord == "CAPABILITY" {
			l.Note += "; it lists its capabilities right away: " + a.show(codeArg)
		}
		return
	case kind == "BYE":
		s.state = "logout"
		switch {
		case cur != nil && cur.verb == "LOGOUT":
			l.Note = "the server says goodbye before confirming LOGOUT"
			l.Level = Info
		case s.lastBad:
			l.Note = "the server hangs up on purpose: an unknown command before login looks like another protocol (an HTTP request sent to the IMAP port by a web page, say), " +
				"so the server ends the session instead of reading more: a defence against cross-protocol attacks. Reconnect and start every command with a tag (a1 LOGIN ...)"
			l.Level = Warning
		default:
			l.Note = "the server is closing the connection (" + text + ")"
			l.Level = Warning
		}
		l.RFC = "RFC 9051 §7.1.5"
		return
	}
	l.Level = imapLevel(kind, codeWord)
	switch codeWord {
	case "UIDVALIDITY":
		l.Note = "UIDVALIDITY " + codeArg + ": as long as this number stays the same, UIDs in this mailbox keep meaning the same messages"
	case "UIDNEXT":
		l.Note = "UIDNEXT " + codeArg + ": the next message to arrive will get at least this UID"
	case "UNSEEN":
		l.Note = "message " + codeArg + " is the first unread one"
	case "PERMANENTFLAGS":
		l.Note = "flags the client may change for good: " + codeArg + " (\\* means it may invent its own keywords)"
	case "HIGHESTMODSEQ":
		l.Note = "the mailbox's modification counter (CONDSTORE): " + codeArg
	case "CAPABILITY":
		l.Note = "the capabilities now: " + codeArg
	case "ALERT":
		l.Note = "an alert the mail program must show the user: " + text
	case "":
		l.Note = "status: " + text
		if kind == "NO" {
			l.Note = "a warning from the server: " + text
		}
	default:
		l.Note = "[" + code + "] " + text
	}
	l.RFC = "RFC 9051 §7.1"
}

func imapLevel(kind, code string) Level {
	switch kind {
	case "OK", "PREAUTH":
		return Success
	case "BAD":
		return Warning
	case "NO":
		switch code {
		case "UNAVAILABLE", "INUSE", "LIMIT", "OVERQUOTA", "TRYCREATE", "EXPUNGEISSUED", "ALREADYEXISTS", "NONEXISTENT", "CANNOT":
			return Warning
		}
		return Error
	case "BYE":
		return Warning
	}
	return Info
}

func (a *IMAPAnnotator) imapExists(l *Line, n int, cur *imapCmd) {
	s := &a.imap
	before := s.exists
	s.exists, s.existsSeen = n, true
	l.RFC = "RFC 9051 §7.4.1"
	switch {
	case cur != nil && (cur.verb == "SELECT" || cur.verb == "EXAMINE"):
		l.Note = "mailbox " + a.show(cur.mailbox) + " holds " + plural(n, "message")
	case s.idling:
		l.Note = "while the client idles, the mailbox grew to " + plural(n, "message")
		if n > before && before > 0 {
			l.Note += " (" + plural(n-before, "new message") + ")"
		}
		l.Note += ": another session delivered or appended it (mail arriving over SMTP, or another client's APPEND or COPY); a mail program would show it now"
	case cur != nil && (cur.verb == "APPEND" || cur.verb == "COPY" || cur.verb == "UID COPY" || cur.verb == "MOVE" || cur.verb == "UID MOVE"):
		l.Note = "the mailbox now holds " + plural(n, "message") + " (the message just added)"
	default:
		l.Note = "the mailbox now holds " + plural(n, "message")
		if n > before {
			l.Note += ": new mail arrived since the last command (delivered by another session), reported now"
		}
	}
}

// imapBeyond warns about a message number past the last one the client
// has been told of (EXISTS, less the EXPUNGEs since), or "*" in an empty
// mailbox: RFC 9051 §9 has the server answer BAD. UID sets are not checked:
// UIDs that name nothing simply match nothing.
func (a *IMAPAnnotator) imapBeyond(l *Line, verb, set string) {
	s := &a.imap
	if strings.HasPrefix(verb, "UID ") || !s.existsSeen || !strings.HasPrefix(s.state, "selected") || set == "$" {
		return
	}
	beyond := false
	for _, part := range strings.Split(set, ",") {
		for _, n := range strings.Split(part, ":") {
			if n == "*" {
				beyond = beyond || s.exists == 0
				continue
			}
			v, err := strconv.Atoi(n)
			if err != nil {
				return // not a sequence set: the server will say what is wrong
			}
			beyond = beyond || v > s.exists
		}
	}
	if !beyond {
		return
	}
	if s.exists == 0 {
		l.Note += "; the mailbox is empty, so the server will answer BAD (RFC 9051 §9)"
	} else {
		l.Note += "; but the mailbox holds only " + plural(s.exists, "message") + ", so the server will answer BAD (RFC 9051 §9)"
	}
	l.Level = Warning
}

func (a *IMAPAnnotator) imapExpunge(l *Line, n int, cur *imapCmd) {
	s := &a.imap
	if s.exists > 0 {
		s.exists--
	}
	l.RFC = "RFC 9051 §7.5.1"
	switch {
	case s.idling:
		l.Note = "while the client idles, message " + strconv.Itoa(n) + " was removed by another session (another IMAP client's EXPUNGE or MOVE, or a POP3 client that deleted it and QUIT); " +
			"every message after it moves down one number"
	case cur != nil && (cur.verb == "EXPUNGE" || cur.verb == "UID EXPUNGE" || cur.verb == "CLOSE"):
		l.Note = "message " + strconv.Itoa(n) + " was removed for good; the ones after it move down one number (so several EXPUNGEs can name the same number)"
	case cur != nil && (cur.verb == "MOVE" || cur.verb == "UID MOVE"):
		l.Note = "message " + strconv.Itoa(n) + " left this mailbox (it was moved); the ones after it move down one number"
	default:
		l.Note = "message " + strconv.Itoa(n) + " was removed (by another session); the ones after it move down one number"
	}
}

// imapTagged explains a tagged reply: it completes the command with its
// tag (the model's fact), and only that one.
func (a *IMAPAnnotator) imapTagged(l *Line, e wire.Event, text string) {
	s := &a.imap
	tag, rest := cutWord(text)
	status, after := cutWord(rest)
	status = strings.ToUpper(status)
	l.Tag = tag
	l.Code = status
	if status != "OK" && status != "NO" && status != "BAD" {
		l.Note = "not a valid IMAP response: a server line starts with \"*\", \"+\" or a command's tag followed by OK, NO or BAD"
		l.Level = Warning
		l.Unknown = true
		return
	}
	code, msg := imapRespCode(after)
	codeWord, codeArg := cutWord(code)
	codeWord = strings.ToUpper(codeWord)
	l.RespCode = codeWord
	if codeWord != "" {
		a.want(kb.ResponseCode, codeWord)
	}
	if codeWord == "CAPABILITY" {
		a.imapSawCaps(codeArg)
	}
	a.want(kb.Response, status)
	m := a.show(msg)
	l.Complete = true
	l.Level = imapLevel(status, codeWord)
	cmd, ok := a.complete(e)
	if !ok && e.Answers == "" && e.Tag != "" && lineEnding(e.Data) == "" {
		// The first piece of a reply line too long to be one event: the
		// model completes the command at the line's last piece.
		cmd, ok = imapCmd{tag: e.Tag, verb: e.Verb}, true
		if c := a.imap.find(e.Tag); c != nil {
			cmd = *c // left in place: the last piece completes it
		}
	}
	if !ok {
		l.Note = "a response to tag " + a.show(tag) + ", which no command in this session used (" + m + ")"
		if s.midway {
			l.Note = "a response to tag " + a.show(tag) + ", a command sent before this log begins (" + m + ")"
		}
		l.RFC = "RFC 9051 §2.2.2"
		return
	}
	l.Verb = cmd.verb
	l.RFC = a.rfcOf(kb.Command, strings.TrimPrefix(cmd.verb, "UID "))
	if ext, ok := imapExtensions[strings.TrimPrefix(cmd.verb, "UID ")]; ok {
		l.RFC = ext.rfc
	}
	s.lastBad = false
	if cmd.verb == "IDLE" {
		s.idling = false
	}
	if status != "OK" {
		a.imapFailed(l, cmd, status, codeWord, m)
		return
	}
	a.imapOK(l, cmd, code, codeWord)
	if m != "" && !strings.Contains(l.Note, m) {
		l.Note += " (" + m + ")"
	}
}

// cutReplyEnd is told that the last piece of a tagged reply too long to
// be one event completes its command.
func (a *IMAPAnnotator) cutReplyEnd(e wire.Event) { a.complete(e) }

// complete takes the command the model says the tagged reply completes
// (e.Answers, e.Tag); one the annotator did not see start comes back with
// its verb only. ok is false when the model knows no command with the tag.
func (a *IMAPAnnotator) complete(e wire.Event) (imapCmd, bool) {
	if e.Answers == "" {
		return imapCmd{}, false
	}
	if cmd, ok := a.imap.take(e.Tag); ok {
		return cmd, true
	}
	if e.Answers == wire.RefusedCommand {
		return imapCmd{tag: e.Tag, malformed: true}, true
	}
	return imapCmd{tag: e.Tag, verb: e.Answers}, true
}

// imapOK explains a tagged OK by the command it completes.
func (a *IMAPAnnotator) imapOK(l *Line, cmd imapCmd, code, codeWord string) {
	s := &a.imap
	what := "completes " + cmd.tag + " " + cmd.verb
	switch cmd.verb {
	case "LOGIN", "AUTHENTICATE":
		s.state = "authenticated"
		l.Note = "logged in: the session is now authenticated; SELECT a mailbox to work with messages"
	case "SELECT", "EXAMINE":
		s.state = "selected " + cmd.mailbox
		l.Note = "mailbox " + a.show(cmd.mailbox) + " is selected"
		if codeWord == "READ-ONLY" {
			l.Note += " read-only"
		} else if codeWord == "READ-WRITE" {
			l.Note += " read-write"
		}
		l.Note += ": FETCH, STORE, SEARCH and the rest now work on its messages"
	case "CLOSE", "UNSELECT":
		s.state = "authenticated"
		l.Note = "the mailbox is closed: back to the authenticated state"
	case "LOGOUT":
		s.state = "logout"
		l.Note = "logged out: the server closes the connection"
	case "STARTTLS":
		l.Note = "go ahead with the TLS handshake: the next bytes on the wire are TLS"
	case "IDLE":
		l.Note = "IDLE is over: the client may send commands again"
	case "APPEND":
		l.Note = "the message was added to " + a.show(cmd.mailbox)
		if codeWord == "APPENDUID" {
			l.Note += " (" + a.show(code) + ": its UIDVALIDITY and new UID)"
		}
	case "STORE", "UID STORE":
		l.Note = "the flags were changed"
	case "COPY", "UID COPY", "MOVE", "UID MOVE":
		l.Note = "done: the messages are in " + a.show(cmd.mailbox)
		if codeWord == "COPYUID" {
			l.Note += " (" + a.show(code) + ": old UIDs and the new ones)"
		}
	case "EXPUNGE", "UID EXPUNGE":
		l.Note = "the messages marked \\Deleted are gone"
	case "CAPABILITY":
		l.Note = "the capability list above is complete"
	case "COMPRESS":
		l.Note = "compression is on: every byte after this line is DEFLATE-compressed in both directions, so a log of the raw connection shows no more readable lines"
	case "LIST", "LSUB":
		l.Note = "the mailbox list above is complete"
	case "SEARCH", "UID SEARCH":
		l.Note = "the search is done: the matches are in the * SEARCH line above"
	case "FETCH", "UID FETCH":
		l.Note = "every message asked for has been sent (the * FETCH lines above)"
		switch {
		case cmd.fetched > 0:
		case cmd.verb == "UID FETCH":
			l.Note = "done, and no message had those UIDs, so there was nothing to send: asking for UIDs that no longer exist is not an error (RFC 9051 §6.4.9)"
		default:
			l.Note = "done, and no message matched, so there was nothing to send"
		}
	case "NOOP", "CHECK":
		l.Note = "nothing to do; any changes were reported above"
	case "STATUS":
		l.Note = "the counters of " + a.show(cmd.mailbox) + " are in the * STATUS line above"
	case "CREATE", "DELETE", "SUBSCRIBE", "UNSUBSCRIBE":
		l.Note = "done: " + strings.ToLower(strings.TrimSuffix(cmd.verb, "E")) + "ed mailbox " + a.show(cmd.mailbox)
	case "RENAME":
		l.Note = "the mailbox was renamed"
	case "ENABLE":
		l.Note = "the extensions listed in * ENABLED are on for the rest of the session"
	case "NAMESPACE", "ID":
		l.Note = "the answer is in the * " + cmd.verb + " line above"
	default:
		l.Note = what + " successfully"
	}
}

func (a *IMAPAnnotator) imapFailed(l *Line, cmd imapCmd, status, code, m string) {
	s := &a.imap
	switch {
	case status == "BAD" && (strings.HasPrefix(m, "No such message") || strings.Contains(strings.ToLower(m), "invalid messageset")):
		l.Note = "no message has that number (" + m + "): message numbers run from 1 to the count the last EXISTS gave (less the EXPUNGEs since), and * is the last of them"
		l.RFC = "RFC 9051 §9"
	case status == "BAD" && code == "LIMIT":
		l.Note = "the command line was longer than this server reads, so it ran nothing (" + m + "); RFC 7162 asks clients to keep command lines under 8 KB, and a mail program splits longer work into several commands (fewer message numbers per FETCH)"
		l.RFC = "RFC 7162 §4"
	case cmd.malformed && status == "BAD":
		l.Note = "the server could not read the line as a command, so it ran nothing (" + m + ")"
		l.RFC = "RFC 9051 §2.2.1"
	case code == "AUTHENTICATIONFAILED" || (cmd.verb == "LOGIN" || cmd.verb == "AUTHENTICATE") && status == "NO":
		l.Note = "login failed: wrong user name or password (" + m + ")"
		if mech, _ := cutWord(cmd.args); cmd.verb == "AUTHENTICATE" && (strings.EqualFold(mech, "XOAUTH2") || strings.EqualFold(mech, "OAUTHBEARER")) {
			l.Note = "login failed: the OAuth access token was refused: expired, revoked, or not granted for this protocol; the mail program has to get a new one, signing in again on the provider's page (" + m + ")"
		} else {
			l.Note += exchangeLoginHint(s.greeting)
		}
		l.Level = Error
	case code == "TRYCREATE":
		l.Note = "mailbox " + a.show(cmd.mailbox) + " does not exist: CREATE it first, then try again (" + m + ")"
	case cmd.verb == "STARTTLS":
		l.Note = "the server will not start TLS now: STARTTLS is only allowed before login, and only where the server offers it (" + m + ")"
		l.RFC = "RFC 9051 §6.2.1"
	case code == "PRIVACYREQUIRED" || code == "LOGINDISABLED" || strings.Contains(strings.ToUpper(m), "TLS"):
		l.Note = "refused until the connection is encrypted: STARTTLS first (" + m + ")"
	case status == "BAD" && imapExtensions[strings.TrimPrefix(cmd.verb, "UID ")].note != "" &&
		s.caps.hasAny(imapExtensions[strings.TrimPrefix(cmd.verb, "UID ")].caps):
		// The server offers the extension: this command was malformed.
		l.Note = "the server offers " + cmd.verb + " but could not accept this one: a syntax error in its arguments (" + m + ")"
	case status == "BAD" && imapExtensions[strings.TrimPrefix(cmd.verb, "UID ")].note != "":
		ext := imapExtensions[strings.TrimPrefix(cmd.verb, "UID ")]
		l.Note = "this server does not offer " + cmd.verb + ", an extension (" + ext.caps[0] + "): servers that do list it among their capabilities (" + m + ")"
	case status == "BAD" && !imapKnown(cmd.verb):
		l.Note = "the server does not know the command " + a.show(cmd.verb) + " (" + m + ")"
		if s.state == "not authenticated" {
			s.lastBad = true
			l.Note += "; before login it will now hang up"
		}
		if _, tagIsCmd := imapVerbs[strings.ToUpper(cmd.tag)]; tagIsCmd {
			l.Note += ". The line had no tag, so \"" + a.show(cmd.tag) + "\" was taken for the tag"
		}
	case status == "BAD":
		l.Note = "the server could not parse the command (" + m + "): check its syntax"
		if s.state == "not authenticated" && cmd.verb != "LOGIN" && cmd.verb != "CAPABILITY" && cmd.verb != "STARTTLS" && cmd.verb != "AUTHENTICATE" && cmd.verb != "NOOP" && cmd.verb != "LOGOUT" {
			l.Note = cmd.verb + " is not allowed before login (" + m + "): LOGIN first"
		}
	case (cmd.verb == "SELECT" || cmd.verb == "EXAMINE") && status == "NO":
		s.state = "authenticated"
		l.Note = "mailbox " + a.show(cmd.mailbox) + " could not be opened (" + m + "); no mailbox is selected now"
	case status == "NO" && !strings.HasPrefix(s.state, "selected") && imapNeedsSelected(cmd.verb):
		l.Note = cmd.verb + " needs a selected mailbox: SELECT one first (" + m + ")"
	default:
		l.Note = cmd.verb + " failed (" + m + ")"
	}
	addServerMeaning(l, m)
	if code != "" && code != "AUTHENTICATIONFAILED" && code != "TRYCREATE" && !strings.Contains(l.Note, "["+code) {
		l.Note += " [" + code + "]"
	}
}

func imapKnown(verb string) bool {
	_, ok := imapVerbs[strings.TrimPrefix(verb, "UID ")]
	return ok
}

func imapNeedsSelected(verb string) bool {
	switch strings.TrimPrefix(verb, "UID ") {
	case "FETCH", "STORE", "SEARCH", "COPY", "MOVE", "EXPUNGE", "CLOSE", "UNSELECT":
		return true
	}
	return false
}

// imapPayload explains a literal: client side (APPEND message, LOGIN
// password) or server side (message text inside FETCH).
func (a *IMAPAnnotator) imapPayload(l *Line, e wire.Event) {
	s := &a.imap
	l.Verb, l.Tag = e.Verb, e.Tag // the literal's command, by the model
	if e.Dir == wire.FromClient {
		if l.Secret {
			l.Text = "[literal: " + plural(len(e.Data), "byte") + ", a credential, masked]"
			if a.opts.RevealSecrets {
				l.Text = "[literal: " + a.display(e.Data) + "]"
			}
			l.Note = "the password, sent as a literal (it holds characters that cannot go in a quoted string)"
			l.RFC = "RFC 9051 §4.3"
			l.State = s.state
			return
		}
		m := summarise(e.Data, false)
		l.Text = "[literal: " + plural(len(e.Data), "byte") + ", " + plural(m.lines, "line") + "]"
		if l.Verb == "APPEND" {
			l.Note = "the message to append, as a literal: " + a.describe(m)
			l.Detail = a.headerDetail(m)
		} else {
			l.Note = "a literal: exactly " + plural(len(e.Data), "byte") + " of data as announced, no quoting needed"
		}
		l.RFC = "RFC 9051 §4.3"
		l.State = s.state
		return
	}
	l.Code = s.serverLiteral
	s.serverContinuing = true
	s.literalPending = false
	if q, ok := literalAsString(e.Data); ok {
		s.respLitText = q
	}
	m := summarise(e.Data, false)
	l.Text = "[literal: " + plural(len(e.Data), "byte") + ", " + plural(m.lines, "line") + "]"
	if m.nHeaders > 0 {
		l.Note = "message content: " + a.describe(m)
		l.Detail = a.headerDetail(m)
	} else {
		l.Note = "literal data: " + plural(len(e.Data), "byte") + " of message content"
	}
	l.RFC = "RFC 9051 §4.3"
	l.State = s.state
}

// IMAPAnnotator explains an IMAP session: each tagged reply with the
// command of its tag, each untagged response under the command it answers
// (RFC 9051 §5.5 pipelining included), and the selected mailbox.
type IMAPAnnotator struct {
	base
	imap imapState
}

// NewIMAPAnnotator returns the annotator of one IMAP session.
func NewIMAPAnnotator(opts AnnotateOptions) *IMAPAnnotator {
	a := &IMAPAnnotator{base: newBase(wire.IMAP, opts)}
	a.imap.init()
	return a
}

// Annotate explains one event of the session (see Annotator).
func (a *IMAPAnnotator) Annotate(e wire.Event) Line { return a.annotate(e, a) }

func (a *IMAPAnnotator) state() string { return a.imap.state }

// startTLS: the capabilities may change once TLS is on.
func (a *IMAPAnnotator) startTLS(l *Line) {
	l.RFC = "RFC 9051 §6.2.1"
	l.Note += ". Capabilities may change: a careful client asks CAPABILITY again"
}
