package transcripts

import (
	"slices"
	"strconv"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// smtpCmd is what the annotator remembers of a command sent, for the
// explanation of its reply.
type smtpCmd struct {
	verb string // "MAIL"; in a reply, what the model says it answers ("<greeting>", "<body>": the message after DATA)
	arg  string // the address of MAIL/RCPT, the mechanism of AUTH, "n LAST" of BDAT
	// stateBefore is the session state when the command was sent, so a
	// sequence error can say what was missing at that moment.
	stateBefore string
	rcpts       int // accepted recipients when the command was sent
	// malformed: the path broke RFC 5321's syntax (no angle brackets), so
	// a success reply shows a lenient server.
	malformed bool
}

// smtpState is what an SMTP annotator remembers about the session. Which
// command a reply answers is the protocol model's fact (wire.Event's
// Answers and Verb), never worked out here.
type smtpState struct {
	// sent holds what the commands not yet answered said: a reply the
	// model says answers RCPT takes the oldest RCPT's address (RFC 2920:
	// replies come in the order of the commands), never another verb's.
	sent      awaiting[smtpCmd]
	state     string // "connected", "greeted", "mail", "rcpt", "data", "tls", "quit", "closing"
	replyLine int    // lines of the current multi-line reply seen so far
	from      string // envelope sender of the open transaction
	rcpts     int    // recipients accepted in the open transaction
	// auth is the mechanism of an AUTH exchange in progress ("" none);
	// authResponses counts the client's SASL responses in this AUTH
	// exchange, the initial response included: LOGIN's first is the user
	// name, its second the password, however many 334s came first.
	auth          string
	authResponses int
	authUser      string
	began         bool // the session's first line has been seen
	// serverSeen: the log shows the server's side, so a command sent
	// before the replies to earlier ones is pipelined (pipelinedNote).
	serverSeen bool
	// midway: the log starts in the middle of a session (its first line
	// is a RCPT, say), so what was said before is unknown and no command
	// is called out of order until EHLO, MAIL or RSET makes it known.
	midway bool
	// offered holds the extensions of the last EHLO reply (AUTH, STARTTLS,
	// ...); nil until an EHLO was sent.
	offered map[string]bool
	// meaning and sameAs are what the current reply's words mean
	// (serverSayingFor), found once per reply.
	meaning string
	sameAs  []string
	// replyText gathers the texts of a multi-line reply's earlier lines:
	// servers such as Gmail spread one explanation over several lines.
	replyText []string
}

func (s *smtpState) init() {
	s.state = "connected"
}

// afterTLS forgets what was said before STARTTLS (RFC 3207 §4.2).
func (s *smtpState) afterTLS() {
	s.state = "connected"
	s.from, s.rcpts, s.auth, s.authUser = "", 0, "", ""
	s.sent.reset()
	s.offered = nil
}

// smtpVerbs are the commands this tutor explains (their RFC sections are in
// the knowledge base: rfcOf).
var smtpVerbs = map[string]bool{
	"HELO": true, "EHLO": true, "MAIL": true, "RCPT": true,
	"DATA": true, "RSET": true, "VRFY": true, "EXPN": true,
	"HELP": true, "NOOP": true, "QUIT": true, "STARTTLS": true,
	"AUTH": true, "BDAT": true,
}

func (a *SMTPAnnotator) smtpLine(l *Line, e wire.Event) {
	if !a.smtp.began {
		a.smtp.began = true
		if e.Dir == wire.FromClient {
			// An imported log that starts after the 220 greeting (the log
			// reader gave the model one): the first reply answers this
			// command.
			a.smtp.state = "greeted"
			verb, _ := cutWord(strings.TrimSpace(string(e.Data)))
			switch strings.ToUpper(verb) {
			case "EHLO", "HELO", "LHLO":
			default:
				a.smtp.midway = true
			}
		}
		if e.Dir == wire.FromServer && len(e.Data) >= 3 {
			switch string(e.Data[:3]) {
			case "220", "421", "554":
			default:
				a.smtp.midway = true // a reply to something before the log
			}
		}
	}
	if e.Dir == wire.FromClient {
		a.smtpClient(l, e)
	} else {
		a.smtpServer(l, e)
	}
	if l.State == "" {
		l.State = a.smtp.state
	}
}

func (a *SMTPAnnotator) smtpClient(l *Line, e wire.Event) {
	s := &a.smtp
	text := a.lineText(e)
	ending := lineEnding(e.Data)
	defer func() {
		switch ending {
		case "LF":
			l.Note += ". Mistake: this line ends with a bare LF; SMTP lines must end with CRLF (RFC 5321 §2.3.8). " +
				"Many servers refuse bare LF, a defence against SMTP smuggling"
			l.Level = Warning
		case "":
			l.Note += " (the line is incomplete: the connection closed mid-line or the line is over 64 KiB)"
		}
	}()
	if e.Continues && e.Verb == "AUTH" {
		// A response to a 334, or one the model knows is due although the
		// 334 has not come yet (a client that does not wait for it).
		l.Verb = "AUTH"
		a.smtpAuthResponse(l, text)
		return
	}
	word, rest := cutWord(text)
	verb := strings.ToUpper(word)
	l.Verb = verb
	switch verb {
	case "EHLO", "HELO", "LHLO", "RSET", "MAIL":
		s.midway = false // from here on the state is known again
	}
	cmd := smtpCmd{verb: verb, stateBefore: s.state, rcpts: s.rcpts}
	known := smtpVerbs[verb]
	rfc := a.rfcOf(kb.Command, verb)
	l.RFC = rfc
	if !a.smtpHelloCommand(l, &cmd, rest) &&
		!a.smtpTransactionCommand(l, &cmd, rest) &&
		!a.smtpSessionCommand(l, &cmd, rest) {
		l.Note = a.show(word) + " is not an SMTP command: the server will answer 500"
		l.Level = Warning
		l.RFC = "RFC 5321 §4.2.4"
	}
	if known && word != verb {
		l.Note += " (lowercase is fine: command verbs are case-insensitive, RFC 5321 §2.4)"
	}
	if known {
		a.want(kb.Command, verb)
	}
	if len(s.sent.cmds) > 0 && cmd.verb != wire.EmptyCommand && s.serverSeen && !strings.HasPrefix(s.sent.last, "<") {
		l.Note += pipelinedNote(s.sent.last)
	}
	switch {
	case e.Verb != "":
		s.sent.add(e.Verb, cmd)
	case cmd.verb == wire.EmptyCommand && ending != "":
		s.sent.add(wire.EmptyCommand, cmd) // the model awaits a reply to it too
	}
}

// pipelinedNote tells that a command went out before the reply to the
// one before it (SMTP and POP3 PIPELINING): the replies come in order.
func pipelinedNote(prev string) string {
	return "; pipelined: sent before the reply to " + prev + " came, so its reply follows the earlier ones, in order"
}

// smtpHelloCommand explains an empty line, EHLO and HELO; each
// smtp...Command reports whether it knew the verb, and smtpClient asks
// them in turn.
func (a *SMTPAnnotator) smtpHelloCommand(l *Line, cmd *smtpCmd, rest string) bool {
	s := &a.smtp
	switch cmd.verb {

	case "":
		cmd.verb = wire.EmptyCommand // a command all the same: one reply answers it
		l.Note = "an empty line is not a command: the server will answer 500"
		l.Level = Warning
		l.RFC = "RFC 5321 §4.1.1"
	case "EHLO":
		l.Note = "the client introduces itself as " + a.show(rest) + " and asks for the server's extensions (ESMTP)"
		if rest == "" {
			l.Note = "EHLO needs the client's name (its domain or [IP]): the server will answer 501"
			l.Level = Warning
		} else {
			s.offered = map[string]bool{}
		}
	case "HELO":
		l.Note = "the client introduces itself as " + a.show(rest) + " the old way (no extensions listed; prefer EHLO)"
		if rest == "" {
			l.Note = "HELO needs the client's name (its domain or [IP]): the server will answer 501"
			l.Level = Warning
		}
	default:
		return false
	}
	return true
}

// smtpTransactionCommand explains the commands of a mail transaction:
// MAIL, RCPT, DATA, BDAT.
func (a *SMTPAnnotator) smtpTransactionCommand(l *Line, cmd *smtpCmd, rest string) bool {
	s := &a.smtp
	switch cmd.verb {

	case "MAIL":
		addr, ok, msg := smtpPath(rest, "FROM")
		cmd.arg = addr
		if !ok {
			cmd.malformed = true
			l.Note = "MAIL starts a message, but " + a.smtpMalformedOutOfOrder(*cmd, msg)
			l.Level = Warning
			break
		}
		if addr == "" {
			l.Note = "starts a message with the null sender <>: a bounce or notification, to which nothing may be sent back"
		} else {
			l.Note = "starts a message from envelope sender <" + a.show(addr) + ">: where bounces go (it may differ from the From: header)"
		}
		a.smtpParamNote(l, smtpParams(rest))
		if s.state == "mail" || s.state == "rcpt" {
			l.Note += " (but a message is already in progress: the server will refuse this with 503; finish it with DATA or abandon it with RSET first)"
			l.Level = Warning
		}
	case "RCPT":
		addr, ok, msg := smtpPath(rest, "TO")
		cmd.arg = addr
		if !ok {
			cmd.malformed = true
			l.Note = "RCPT names a recipient, but " + a.smtpMalformedOutOfOrder(*cmd, msg)
			l.Level = Warning
			break
		}
		l.Note = "names envelope recipient <" + a.show(addr) + ">"
		if strings.EqualFold(addr, "postmaster") || strings.HasPrefix(strings.ToLower(addr), "postmaster@") {
			l.Note += ": postmaster, the one address every mail domain must accept (RFC 5321 §4.5.1), so that problems can always be reported"
		}
		a.smtpParamNote(l, smtpParams(rest))
		if s.state != "mail" && s.state != "rcpt" && !s.sent.has("MAIL") && !s.midway {
			l.Note += " (no MAIL FROM accepted yet: the server will refuse this with 503)"
			l.Level = Warning
		}
	case "DATA":
		l.Note = "asks to send the message itself (headers, blank line, body)"
		if s.rcpts == 0 && !s.sent.has("RCPT") && !s.midway {
			l.Note += "; no recipient has been accepted yet, so the server will refuse it (503 or 554)"
			l.Level = Warning
		}
	case "BDAT":
		size, _ := cutWord(rest)
		cmd.arg = rest
		l.Note = "sends the next " + size + " bytes of the message as one binary chunk (CHUNKING): no dot-stuffing, no end-of-data dot"
		if bdatLast(rest) {
			l.Note += "; LAST: this is the final chunk"
		}
		if _, err := strconv.Atoi(size); err != nil {
			l.Note = "BDAT needs a chunk size in bytes: the server will answer 501"
			l.Level = Warning
		}
	default:
		return false
	}
	return true
}

// smtpSessionCommand explains the other commands: RSET, NOOP, QUIT,
// VRFY, EXPN, HELP, STARTTLS, AUTH.
func (a *SMTPAnnotator) smtpSessionCommand(l *Line, cmd *smtpCmd, rest string) bool {
	s := &a.smtp
	switch cmd.verb {

	case "RSET":
		l.Note = "abandons the message in progress (sender and recipients are forgotten); the connection stays open"
		if strings.TrimSpace(rest) != "" {
			l.Note = "RSET takes no parameters: a strict server will answer 501 (RFC 5321 §4.1.1.5)"
			l.Level = Warning
		}
	case "NOOP":
		l.Note = "does nothing: checks that the server is still there"
	case "QUIT":
		l.Note = "asks the server to close the connection"
		if strings.TrimSpace(rest) != "" {
			l.Note = "QUIT takes no parameters: a strict server will answer 501 and stay connected (RFC 5321 §4.1.1.10)"
			l.Level = Warning
		}
	case "VRFY":
		l.Note = "asks whether " + a.show(rest) + " is a valid mailbox (most servers will not say, against address harvesting)"
		if strings.TrimSpace(rest) == "" {
			l.Note = "VRFY needs a user name or mailbox to verify, e.g. VRFY alice: the server will answer 501"
			l.Level = Warning
		}
	case "EXPN":
		l.Note = "asks for the members of mailing list " + a.show(rest)
	case "HELP":
		l.Note = "asks the server for help text"
	case "STARTTLS":
		l.Note = "asks to switch this connection to TLS; nothing else may be sent until the handshake is done"
		if strings.TrimSpace(rest) != "" {
			l.Note = "STARTTLS takes no parameters (RFC 3207 §4): the server will answer 501"
			l.Level = Warning
		}
	case "AUTH":
		mech, initial := cutWord(rest)
		mech = strings.ToUpper(mech)
		cmd.arg = mech
		s.auth, s.authUser, s.authResponses = mech, "", 0
		l.Note = "logs in with the " + mech + " mechanism"
		a.want(kb.Mechanism, mech)
		if initial != "" {
			a.smtpAuthResponse(l, initial)
			l.Note = "logs in with " + mech + ": " + l.Note
		}
		// A response that is itself malformed is refused for that first
		// (the server parses before it applies its login policy).
		malformed := initial != "" && l.Level == Warning
		if mech != "" && !malformed && s.offered != nil && !s.offered["AUTH"] && s.state != "connected" {
			warn := "the EHLO reply offered no AUTH: no login on this port (an MX takes mail for its own domains without one), " +
				"or not before STARTTLS: the server will refuse it (503 or 530)"
			if initial != "" {
				// Keep what the credentials were: a learner (or a help
				// desk reading a log) should see the password crossed in clear.
				l.Note += "; but " + warn
			} else {
				l.Note = "logs in with " + mech + ", but " + warn
			}
			l.Level = Warning
		}
		if mech == "" {
			l.Note = "AUTH needs a mechanism name such as PLAIN or LOGIN: the server will answer 501"
			if s.state == "connected" {
				// The order is checked before the arguments.
				l.Note = "AUTH needs a mechanism name such as PLAIN or LOGIN, and EHLO must come first: the server will answer 503"
			}
			l.Level = Warning
		}
	default:
		return false
	}
	return true
}

// smtpPath checks "FROM:<addr> params" (RFC 5321 §4.1.2) and returns the address.
func smtpPath(rest, keyword string) (addr string, ok bool, problem string) {
	up := strings.ToUpper(rest)
	if !strings.HasPrefix(up, keyword+":") {
		return "", false, "it must be followed by " + keyword + ":<address> (the server will answer 501)"
	}
	p := rest[len(keyword)+1:]
	spaced := strings.HasPrefix(p, " ")
	p = strings.TrimLeft(p, " ")
	if !strings.HasPrefix(p, "<") {
		word, _ := cutWord(p)
		return word, false, "the address must be in angle brackets: " + keyword + ":<" + word + "> (RFC 5321 §4.1.2); strict servers answer 501"
	}
	end := strings.IndexByte(p, '>')
	if end < 0 {
		return p[1:], false, "the closing > is missing (the server will answer 501)"
	}
	addr = p[1:end]
	if spaced {
		return addr, true, ""
	}
	return addr, true, ""
}

// smtpParams returns what follows the <path> (SIZE=, BODY=...).
func smtpParams(rest string) string {
	if i := strings.IndexByte(rest, '>'); i >= 0 {
		return strings.TrimSpace(rest[i+1:])
	}
	return ""
}

// smtpParamExtension names the EHLO extension that defines each MAIL and
// RCPT parameter (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8, RFC 3461
// DSN, RFC 4954 AUTH, RFC 8689 REQUIRETLS, RFC 6710 MT-PRIORITY, RFC 2852
// DELIVERBY, RFC 7293 RRVS).
var smtpParamExtension = map[string]string{
	"SIZE": "SIZE", "BODY": "8BITMIME", "SMTPUTF8": "SMTPUTF8", "AUTH": "AUTH",
	"RET": "DSN", "ENVID": "DSN", "NOTIFY": "DSN", "ORCPT": "DSN",
	"REQUIRETLS": "REQUIRETLS", "MT-PRIORITY": "MT-PRIORITY", "BY": "DELIVERBY", "RRVS": "RRVS",
}

// smtpParamNote names the parameters of a MAIL or RCPT line, and warns
// about one whose extension the server's EHLO reply did not offer: RFC 5321
// §4.1.1.11 has it refused with 555. (Without an EHLO reply to go by,
// nothing is said about them.)
func (a *SMTPAnnotator) smtpParamNote(l *Line, params string) {
	if params == "" {
		return
	}
	l.Note += "; parameters " + a.show(params)
	if a.smtp.offered == nil {
		return
	}
	for _, p := range strings.Fields(params) {
		name, _, _ := strings.Cut(p, "=")
		name = strings.ToUpper(name)
		ext, known := smtpParamExtension[name]
		switch {
		case !known:
			l.Note += ". " + a.show(name) + " is not a parameter of any extension this tutor knows: a server that follows RFC 5321 answers 555"
		case !a.smtp.offered[ext]:
			l.Note += ". " + name + " belongs to the " + ext + " extension, which the EHLO reply did not offer: a server that follows RFC 5321 answers 555 (some accept it anyway)"
		default:
			continue
		}
		l.Level = Warning
		l.RFC = "RFC 5321 §4.1.1.11"
		return
	}
}

// smtpAuthResponse explains a client's SASL response (initial or after a 334).
func (a *SMTPAnnotator) smtpAuthResponse(l *Line, resp string) {
	s := &a.smtp
	l.RFC = "RFC 4954 §4"
	if resp == "*" {
		l.Note = "the client cancels the login exchange (the server answers 501)"
		return
	}
	dec, ok := decodeBase64(resp)
	if suppressedByLog(resp) {
		l.Note = suppressedNote
		return
	}
	if !ok {
		l.Note = "the login response is not valid base64: the server will answer 501"
		l.Level = Warning
		return
	}
	switch s.auth {
	case "PLAIN":
		note, user := a.saslPlain(dec)
		s.authUser = user
		l.Note = "credentials " + note
		l.RFC = "RFC 4616 §2"
	case "LOGIN":
		s.authResponses++
		if s.authResponses == 1 {
			s.authUser = dec
			l.Note = "user name " + a.printable(dec) + ", sent as base64 " + a.show(resp) + a.base64Exposure()
		} else {
			l.Note = "password " + a.hide(dec) + a.base64Exposure()
		}
	default:
		l.Note = "the client's answer to the " + s.auth + " challenge, base64-encoded"
	}
}

func (a *SMTPAnnotator) smtpServer(l *Line, e wire.Event) {
	s := &a.smtp
	s.serverSeen = true
	text := a.lineText(e)
	if len(text) < 3 || !isDigits(text[:3]) || (len(text) > 3 && text[3] != ' ' && text[3] != '-') {
		l.Note = "not a valid SMTP reply: a reply starts with a three-digit code (RFC 5321 §4.2)"
		l.Level = Warning
		l.Unknown = true
		return
	}
	code := text[:3]
	l.Code = code
	more := e.Continues // the model: the reply goes on after this line ("NNN-")
	msg := ""
	if len(text) > 4 {
		msg = text[4:]
	}
	if enh, after, ok := enhancedCode(msg, code[0]); ok {
		l.Enhanced = enh
		msg = after
		a.want(kb.EnhancedCode, enh)
	}
	cmd := a.smtpAnswered(l, e, code)
	l.Level = smtpLevel(code)
	if more {
		s.replyLine++
		if cmd.verb != "EHLO" && len(s.replyText) < 50 {
			s.replyText = append(s.replyText, strings.TrimSpace(msg))
		}
		a.want(kb.ReplyCode, code)
		if cmd.verb == "EHLO" && s.replyLine == 1 {
			a.want(kb.Command, "EHLO")
		}
		a.smtpContinuation(l, cmd, code, msg, s.replyLine)
		return
	}
	lineNo := s.replyLine
	s.replyLine = 0
	l.Complete = true
	if len(s.replyText) > 0 {
		msg = strings.Join(append(s.replyText, strings.TrimSpace(msg)), " ")
		s.replyText = s.replyText[:0]
	}
	if e.Answers == "" && e.Verb != "" {
		// The last line of a reply that completes no command: a 334
		// challenge, after which the client's next line is a response.
		a.smtpChallenge(l, msg)
		return
	}
	if lineNo > 0 && cmd.verb == "EHLO" {
		// The last line of the EHLO reply is a keyword as well.
		a.ehloKeyword(l, msg)
		l.Note += "; this is the last line of the EHLO reply (a space after 250, not a dash)"
		s.state = "greeted"
		s.from, s.rcpts = "", 0
		return
	}
	// What the reply's words mean, looked up once for the notes below and
	// for smtpFailure; not for successes, nor for the protocol's own
	// errors (500-504), whose words are about syntax.
	s.meaning, s.sameAs = "", nil
	if code[0] >= '4' && (code < "500" || code > "504") {
		s.meaning, s.sameAs = serverSayingFor(msg, true)
	}
	a.smtpReply(l, cmd, code, msg)
	a.smtpMeaning(l, cmd, code, msg)
	if lineNo > 0 {
		l.Note += " (the last line of a multi-line reply; the note quotes all its lines)"
	}
}

// smtpMeaning adds to a refusal what its enhanced code and the server's
// words mean, where the note does not say it already.
func (a *SMTPAnnotator) smtpMeaning(l *Line, cmd smtpCmd, code, msg string) {
	s := &a.smtp
	// X.7.1 is any refusal by policy; when the server's words say which
	// one (a relay refused, a blocklist), its KB summary would mislead.
	// So would 5.1.10's registry meaning (null MX) where Exchange uses the
	// code for an unknown recipient.
	meaning, sameAs := s.meaning, s.sameAs
	generic := meaning != "" && !slices.Contains(sameAs, l.Enhanced) &&
		(strings.HasSuffix(l.Enhanced, ".7.1") || l.Enhanced == "5.1.10" && strings.Contains(strings.ToLower(msg), "recipientnotfound"))
	if l.Enhanced != "" && code[0] >= '4' && !strings.HasSuffix(l.Enhanced, ".0.0") && !generic &&
		!strings.HasPrefix(l.Enhanced[1:], ".5.") && cmd.verb != "AUTH" {
		// The enhanced code is often the most precise part of a refusal
		// (5.7.26: the message failed SPF, DKIM and DMARC). Not for the
		// protocol's own errors (X.5.x) and logins, which the note
		// already explains.
		if p := a.piece(lookup{kb.EnhancedCode, l.Enhanced}); p.found && !strings.Contains(l.Note, p.summary) {
			l.Note += "; " + l.Enhanced + " means: " + lowerFirst(p.summary)
		}
	}
	if (code[0] >= '4' && cmd.verb != "AUTH" || code == "535" || code == "534") && meaning != "" && !slices.Contains(sameAs, l.Enhanced) {
		l.Note += "; the server's words mean: " + meaning
	}
}

// smtpAnswered returns the command a reply line belongs to, as the model
// says (Answers on the line that completes the reply, Verb on every line
// of it), with what the annotator remembers of it, and files the line
// under its verb. A reply no command awaits has verb "".
func (a *SMTPAnnotator) smtpAnswered(l *Line, e wire.Event, code string) smtpCmd {
	s := &a.smtp
	verb := e.Answers
	if verb == "" {
		verb = e.Verb
	}
	if verb == "<greeting>" && code != "220" && code != "421" && code != "554" {
		// Where the model awaits the greeting, a reply no greeting
		// gives: the log starts after the greeting, with a reply to a
		// command before it.
		verb = ""
	}
	cmd := smtpCmd{verb: verb, stateBefore: s.state, rcpts: s.rcpts}
	if e.Answers != "" && verb != "" {
		// What the command said; one not seen (the greeting, the message
		// after DATA, a line the log left out) gets the session as it is.
		if sent, ok := s.sent.take(verb); ok {
			cmd = sent
		}
	}
	switch verb {
	case "<greeting>", wire.EmptyCommand:
		l.Verb = ""
	case "<body>":
		l.Verb = "DATA"
	default:
		l.Verb = verb
	}
	return cmd
}

// cutReplyEnd is told that the last piece of a reply line too long to be
// one event completes the reply (its first piece was explained, the rest
// only shown): the command it answers is answered.
func (a *SMTPAnnotator) cutReplyEnd(e wire.Event) {
	s := &a.smtp
	s.sent.take(e.Answers)
	s.replyLine = 0
	s.replyText = s.replyText[:0]
}

// bdatLast tells whether BDAT's arguments ("1000 LAST") end the message.
func bdatLast(arg string) bool {
	_, last := cutWord(arg)
	return strings.EqualFold(strings.TrimSpace(last), "LAST")
}

// lowerFirst lowers the first letter of a sentence to be quoted mid-line.
func lowerFirst(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// enhancedCode finds "X.Y.Z" at the start of a reply text (RFC 3463), whose
// class must match the reply code's first digit.
func enhancedCode(msg string, class byte) (code, rest string, ok bool) {
	word, rest := cutWord(msg)
	if len(word) < 5 || word[0] != class || word[1] != '.' {
		return "", msg, false
	}
	parts := strings.Split(word, ".")
	if len(parts) != 3 || !isDigits(parts[1]) || !isDigits(parts[2]) || len(parts[1]) > 3 || len(parts[2]) > 3 {
		return "", msg, false
	}
	return word, rest, true
}

func smtpLevel(code string) Level {
	switch {
	case code[0] == '2':
		return Success
	case code[0] == '3':
		return Info
	case code[0] == '4':
		return Warning
	case code == "500" || code == "501" || code == "502" || code == "503" || code == "504":
		return Warning // the client's mistake: fix the command and carry on
	case code[0] == '5':
		return Error
	}
	return Info
}

// smtpContinuation explains a "NNN-..." line of a multi-line reply.
func (a *SMTPAnnotator) smtpContinuation(l *Line, cmd smtpCmd, code, msg string, n int) {
	switch {
	case cmd.verb == "EHLO" && code == "250" && n == 1:
		l.Note = "the server greets the client (" + a.show(msg) + "); each following line names one extension it supports"
		l.RFC = "RFC 5321 §4.1.1.1"
	case cmd.verb == "EHLO" && code == "250":
		a.ehloKeyword(l, msg)
	case cmd.verb == "<greeting>":
		l.Note = "the greeting continues (a dash after the code means more lines follow)"
		l.RFC = "RFC 5321 §4.2.1"
	default:
		l.Note = "the reply continues (a dash after " + code + " means more lines follow)"
		l.RFC = "RFC 5321 §4.2.1"
	}
}

// ehloKeyword explains one extension listed in the EHLO reply.
func (a *SMTPAnnotator) ehloKeyword(l *Line, msg string) {
	kw, params := cutWord(msg)
	kw = strings.ToUpper(kw)
	a.want(kb.Capability, kw)
	if a.smtp.offered != nil {
		a.smtp.offered[kw] = true
	}
	switch kw {
	case "PIPELINING":
		l.Note, l.RFC = "PIPELINING: the client may send several commands without waiting for each reply", "RFC 2920"
	case "8BITMIME":
		l.Note, l.RFC = "8BITMIME: messages may contain 8-bit text (accents, UTF-8) without encoding", "RFC 6152"
	case "SIZE":
		l.Note, l.RFC = "SIZE: the largest message accepted", "RFC 1870"
		if n, err := strconv.Atoi(params); err == nil && n > 0 {
			l.Note += " is " + formatInt(n) + " bytes"
		}
	case "STARTTLS":
		l.Note, l.RFC = "STARTTLS: the connection can be switched to TLS encryption", "RFC 3207"
	case "AUTH":
		l.Note, l.RFC = "AUTH: the client may log in, with mechanisms "+a.show(params), "RFC 4954"
	case "ENHANCEDSTATUSCODES":
		l.Note, l.RFC = "ENHANCEDSTATUSCODES: replies carry a detailed code such as 5.1.1 (bad mailbox)", "RFC 2034"
	case "CHUNKING":
		l.Note, l.RFC = "CHUNKING: the message may be sent in binary chunks with BDAT instead of DATA", "RFC 3030"
	case "BINARYMIME":
		l.Note, l.RFC = "BINARYMIME: raw binary message bodies are accepted (with BDAT)", "RFC 3030"
	case "SMTPUTF8":
		l.Note, l.RFC = "SMTPUTF8: addresses and headers may contain UTF-8 (internationalised email)", "RFC 6531"
	case "DSN":
		l.Note, l.RFC = "DSN: the client may ask for delivery status notifications (NOTIFY=, RET=)", "RFC 3461"
	case "REQUIRETLS":
		l.Note, l.RFC = "REQUIRETLS: the sender may demand TLS on every hop", "RFC 8689"
	case "HELP":
		l.Note, l.RFC = "HELP: the server answers the HELP command", "RFC 5321 §4.1.1.8"
	case "VRFY":
		l.Note, l.RFC = "VRFY: the server answers address verification", "RFC 5321 §4.1.1.6"
	case "DELIVERBY":
		l.Note, l.RFC = "DELIVERBY: the client may set a delivery deadline", "RFC 2852"
	case "ETRN":
		l.Note, l.RFC = "ETRN: a client may ask the server to flush its queue", "RFC 1985"
	case "MT-PRIORITY":
		l.Note, l.RFC = "MT-PRIORITY: messages may carry a priority", "RFC 6710"
	case "LIMITS":
		l.Note, l.RFC = "LIMITS: the server states its limits ("+a.show(params)+")", "RFC 9422"
	default:
		switch {
		case vendorKeywords[kw] != "":
			l.Note = kw + ": " + vendorKeywords[kw] + " (a private extension, not an RFC)"
		case maskedKeyword(kw):
			l.Note = kw + ": a keyword masked by a firewall between the client and the server (Cisco's SMTP inspection writes X's over the keywords it will not let through, keeping their length)"
			if len(kw) == len("STARTTLS") {
				l.Note += "; 8 letters: most likely STARTTLS, so encryption is blocked on this path"
			}
		case kw != "" && kw[0] == 'X':
			l.Note = "extension " + a.show(kw) + ": a private (non-standard) extension of this server software"
		}
	}
}

// smtpChallenge explains a 334 challenge, decoding its base64.
func (a *SMTPAnnotator) smtpChallenge(l *Line, msg string) {
	l.RFC = "RFC 4954 §4"
	l.Level = Info
	dec, ok := decodeBase64(msg)
	switch {
	case msg == "" || dec == "" && ok:
		l.Note = "the server is ready for the " + a.smtp.auth + " credentials (an empty challenge): the client sends them base64-encoded"
	case ok:
		l.Note = "the server asks " + a.printable(dec) + " (base64 " + a.show(msg) + "); the client answers on the next line, base64-encoded"
	default:
		l.Note = "a login challenge from the server; the client answers on the next line"
	}
}

// smtpReply explains the final line of a reply in the light of the command it answers.
func (a *SMTPAnnotator) smtpReply(l *Line, cmd smtpCmd, code, msg string) {
	a.want(kb.ReplyCode, code)
	m := a.show(msg)
	if !a.smtpOpeningReply(l, cmd, code, m) && !a.smtpTransactionReply(l, cmd, code, m) &&
		!a.smtpSessionReply(l, cmd, code, m) &&
		!a.smtpSequenceReply(l, cmd, code, m) &&
		!a.smtpSyntaxReply(l, cmd, code, m) {
		subject := "the " + strings.Trim(cmd.verb, "<>") + " command"
		if cmd.verb == "RCPT" {
			subject = "recipient <" + a.show(cmd.arg) + ">"
		} else if cmd.verb == "MAIL" {
			subject = "sender <" + a.show(cmd.arg) + ">"
		}
		l.Note = subject + " was refused (" + m + ")"
		l.RFC = "RFC 5321 §4.2.1"
		a.smtpFailure(l, code)
	}
}

// smtpOpeningReply explains the greeting, replies to no command and 421;
// each smtp...Reply reports whether it explained the reply, and smtpReply
// asks them in turn.
func (a *SMTPAnnotator) smtpOpeningReply(l *Line, cmd smtpCmd, code, m string) bool {
	s := &a.smtp
	class := code[0]
	switch {

	case cmd.verb == "<greeting>" && code == "220":
		l.Note = "the server is ready (" + m + "); the client should now introduce itself with EHLO"
		l.RFC = "RFC 5321 §4.2"
	case cmd.verb == "<greeting>" && class == '5':
		l.Note = "the server refuses this session outright (" + m + "); the client should send QUIT"
		l.RFC = "RFC 5321 §3.1"
	case cmd.verb == "" && s.midway:
		l.Note = "a reply to a command this log does not show (" + m + ")"
		if class >= '4' {
			a.smtpFailure(l, code)
		}
		l.RFC = "RFC 5321 §4.2"
	case cmd.verb == "":
		l.Note = "a reply no command was waiting for (" + m + ")"
		if code == "421" {
			l.Note = "the server is shutting the connection down (" + m + "); mail not yet accepted must be retried later"
		}
		l.RFC = "RFC 5321 §4.2"
	case code == "421":
		l.Note = "the server is closing the connection (" + m + "): a temporary condition; the client retries later, nothing accepted so far is lost"
		l.RFC = "RFC 5321 §3.8"
		s.state = "closing"
	default:
		return false
	}
	return true
}

// smtpTransactionReply explains the replies of EHLO and of a mail
// transaction (MAIL, RCPT, DATA, the message, BDAT).
func (a *SMTPAnnotator) smtpTransactionReply(l *Line, cmd smtpCmd, code, m string) bool {
	s := &a.smtp
	class := code[0]
	switch {
	case (cmd.verb == "EHLO" || cmd.verb == "HELO") && class == '2':
		l.Note = "the server greets the client: the session may begin (" + m + ")"
		if cmd.verb == "EHLO" {
			l.Note = "the server greets the client but lists no extensions (" + m + ")"
		}
		l.RFC = "RFC 5321 §4.1.1.1"
		s.state, s.from, s.rcpts = "greeted", "", 0
	case cmd.verb == "MAIL" && class == '2':
		s.from = cmd.arg
		s.state = "mail"
		l.Note = "the server accepted sender <" + a.show(cmd.arg) + ">; now name the recipients with RCPT TO"
		if cmd.malformed {
			l.Note += ". This server is lenient: it took the address without angle brackets, which strict servers refuse with 501"
		}
		l.RFC = "RFC 5321 §4.1.1.2"
	case cmd.verb == "RCPT" && class == '2':
		s.rcpts++
		s.state = "rcpt"
		l.Note = "the server accepted recipient <" + a.show(cmd.arg) + ">"
		if s.rcpts > 1 {
			l.Note += " (" + plural(s.rcpts, "recipient") + " so far)"
		}
		l.Note += "; add more with RCPT TO, or send the message with DATA"
		if cmd.malformed {
			l.Note += ". This server is lenient: it took the address without angle brackets, which strict servers refuse with 501"
		}
		l.RFC = "RFC 5321 §4.1.1.3"
	case cmd.verb == "DATA" && (class == '4' || class == '5') && s.state == "mail" && s.rcpts == 0:
		l.Note = "DATA was refused because no recipient was accepted (" + m + "): every RCPT TO of this message was refused, so there is nothing to deliver. " +
			"A pipelining client sends DATA before it knows, and must read this reply instead of sending the message"
		l.RFC = "RFC 2920 §3.1"
	case cmd.verb == "DATA" && code == "354":
		s.state = "data"
		l.Note = "go ahead: send the message (headers, a blank line, the body) and end it with a line holding only \".\"; " +
			"a line that starts with \".\" gets a second dot (dot-stuffing)"
		l.RFC = "RFC 5321 §4.1.1.4"
		l.Level = Success
	case cmd.verb == "<body>" && class == '2':
		l.Note = "the message was accepted: the server now takes responsibility for delivering it to " + plural(cmd.rcpts, "recipient")
		if m != "" {
			l.Note += " (" + m + ")"
		}
		l.RFC = "RFC 5321 §4.1.1.4"
		s.state, s.from, s.rcpts = "greeted", "", 0
	case cmd.verb == "<body>":
		s.state, s.from, s.rcpts = "greeted", "", 0
		l.Note = "the message was refused after its content was sent (" + m + ")"
		l.RFC = "RFC 5321 §4.1.1.4"
		a.smtpFailure(l, code)
	case cmd.verb == "BDAT" && class == '2':
		if bdatLast(cmd.arg) {
			l.Note = "the last chunk arrived: the message was accepted for delivery (" + m + ")"
			s.state, s.from, s.rcpts = "greeted", "", 0
		} else {
			l.Note = "the chunk arrived; send the next one with BDAT (" + m + ")"
			s.state = "data"
		}
		l.RFC = "RFC 3030 §2"
	default:
		return false
	}
	return true
}

// smtpSessionReply explains the replies to the commands around a
// transaction: RSET, HELP, NOOP, QUIT, STARTTLS, AUTH, VRFY.
func (a *SMTPAnnotator) smtpSessionReply(l *Line, cmd smtpCmd, code, m string) bool {
	s := &a.smtp
	class := code[0]
	switch {

	case cmd.verb == "RSET" && class == '2':
		s.state, s.from, s.rcpts = "greeted", "", 0
		if cmd.stateBefore == "connected" {
			s.state = "connected"
		}
		l.Note = "the transaction was reset: sender and recipients are forgotten"
		l.RFC = "RFC 5321 §4.1.1.5"
	case cmd.verb == "HELP" && class == '2':
		l.Note = "the server's help text (" + m + ")"
		l.RFC = "RFC 5321 §4.1.1.8"
	case cmd.verb == "NOOP" && class == '2':
		l.Note = "the server is alive; nothing changed"
		l.RFC = "RFC 5321 §4.1.1.9"
	case cmd.verb == "QUIT" && class == '2':
		s.state = "quit"
		l.Note = "the server says goodbye and closes the connection"
		l.RFC = "RFC 5321 §4.1.1.10"
	case cmd.verb == "STARTTLS" && code == "220":
		s.state = "tls"
		l.Note = "go ahead with the TLS handshake: the next bytes on the wire are TLS, not text"
		l.RFC = "RFC 3207 §4"
	case cmd.verb == "AUTH" && code == "235":
		who := s.authUser
		if who != "" {
			l.Note = "logged in as " + a.show(who) + ": the server will now accept mail from this user for any destination"
		} else {
			l.Note = "login succeeded: the server will now accept mail from this user for any destination"
		}
		l.RFC = "RFC 4954 §6"
		s.auth = ""
	case cmd.verb == "AUTH" && code == "535":
		l.Note = "login failed: wrong user name or password (the server does not say which, on purpose)"
		l.RFC = "RFC 4954 §6"
		l.Level = Error
		s.auth = ""
	case cmd.verb == "AUTH" && code == "538":
		l.Note = "this login mechanism is only allowed over an encrypted connection: STARTTLS first"
		l.RFC = "RFC 4954 §6"
		s.auth = ""
	case cmd.verb == "VRFY" && (code == "250" || code == "251" || code == "252"):
		l.Note = "verification answer (" + m + "); 252 means \"cannot verify, but will try to deliver\""
		l.RFC = "RFC 5321 §3.5.3"
	default:
		return false
	}
	return true
}

// smtpSequenceReply explains refusals for the order of commands and for
// a missing TLS or login.
func (a *SMTPAnnotator) smtpSequenceReply(l *Line, cmd smtpCmd, code, m string) bool {
	s := &a.smtp
	switch {

	case code == "555":
		l.Note = "a parameter on this line is not one the server supports: MAIL and RCPT may only carry parameters of the extensions its EHLO reply listed (" + m + ")"
		l.RFC = "RFC 5321 §4.1.1.11"
	case code == "503" && cmd.verb == "AUTH" && s.offered != nil && !s.offered["AUTH"]:
		l.Note = "no login on this port: its EHLO reply offered no AUTH (an MX takes mail for its own domains without one; mail programs log in on the submission port) (" + m + ")"
		l.RFC = "RFC 4954 §4"
		s.auth = ""
	case code == "503":
		cmd.stateBefore, cmd.rcpts = s.state, s.rcpts
		l.Note = "bad sequence of commands: " + a.smtpSequence(cmd)
		l.RFC = "RFC 5321 §4.3.2"
	case code == "502" && a.smtpOutOfSequence(smtpCmd{verb: cmd.verb, stateBefore: s.state, rcpts: s.rcpts}):
		cmd.stateBefore, cmd.rcpts = s.state, s.rcpts
		l.Note = "this server says 502 (command not implemented), but the real problem is the order: " + a.smtpSequence(cmd) +
			". RFC 5321 says a command out of sequence gets 503; some servers (go-smtp among them) answer 502"
		l.RFC = "RFC 5321 §4.3.2"
	case code == "530" && (cmd.verb == "AUTH" || strings.Contains(strings.ToUpper(m), "STARTTLS") || strings.Contains(strings.ToUpper(m), "TLS")):
		l.Note = "encryption required first: this server refuses to take a password over a plain connection; send STARTTLS, then EHLO again, then AUTH (" + m + ")"
		l.RFC = "RFC 3207 §4"
	case code == "530":
		l.Note = "authentication required: log in with AUTH before sending mail here (" + m + ")"
		l.RFC = "RFC 4954 §6"
	default:
		return false
	}
	return true
}

// smtpSyntaxReply explains refusals of a command's syntax, and other
// successes and continuations.
func (a *SMTPAnnotator) smtpSyntaxReply(l *Line, cmd smtpCmd, code, m string) bool {
	s := &a.smtp
	class := code[0]
	switch {

	case code == "500" && strings.Contains(strings.ToLower(m), "too long"):
		l.Note = "the line was longer than the server reads, so it did nothing with it (" + m + "); RFC 5321 allows 512 octets for a command line, CRLF included"
		l.RFC = "RFC 5321 §4.5.3.1.4"
	case code == "500":
		l.Note = "syntax error: the server did not recognise the command (" + m + ")"
		l.RFC = "RFC 5321 §4.2.2"
	case code == "501":
		l.Note = "syntax error in the arguments (" + m + ")"
		if cmd.verb == "MAIL" || cmd.verb == "RCPT" {
			l.Note += ": check the form " + map[bool]string{true: "MAIL FROM:<address>", false: "RCPT TO:<address>"}[cmd.verb == "MAIL"]
		}
		l.RFC = "RFC 5321 §4.2.2"
	case code == "502":
		l.Note = "command not implemented by this server (" + m + ")"
		l.RFC = "RFC 5321 §4.2.2"
	case code == "504" && cmd.verb == "AUTH" && s.offered != nil && !s.offered["AUTH"]:
		l.Note = "the server takes no login of this kind (" + m + "): its EHLO reply offered no AUTH at all. Many servers offer AUTH only inside TLS: STARTTLS, EHLO again, and look for the AUTH line"
		l.RFC = "RFC 4954 §4"
	case code == "504" && cmd.verb == "AUTH":
		l.Note = "the server does not support this login mechanism (" + m + "): use one its EHLO reply lists on the AUTH line"
		l.RFC = "RFC 4954 §4"
	case code == "504":
		l.Note = "command parameter not implemented (" + m + ")"
		l.RFC = "RFC 5321 §4.2.2"
	case class == '2':
		l.Note = "success (" + m + ")"
		l.RFC = "RFC 5321 §4.2.1"
	case class == '3':
		l.Note = "go ahead, more input expected (" + m + ")"
		l.RFC = "RFC 5321 §4.2.1"
	default:
		return false
	}
	return true
}

// smtpFailure adds what a failure class means for the sender.
func (a *SMTPAnnotator) smtpFailure(l *Line, code string) {
	switch code[0] {
	case '4':
		l.Note += ". 4xx is temporary: a sending server keeps the message and retries later (minutes to days)"
		if a.smtp.meaning == "" && strings.HasPrefix(l.Enhanced, "4.7.") || strings.Contains(strings.ToLower(l.Text), "greylist") {
			// Unless the server's words say it is something else (Postfix
			// refuses a relay with 454 4.7.1).
			l.Note += "; greylisting expects exactly that retry"
		}
	case '5':
		l.Note += ". 5xx is permanent: retrying unchanged will not help; a sending server returns a bounce to the sender"
	}
}

// smtpOutOfSequence tells whether cmd arrived in a state where it is out of order.
func (a *SMTPAnnotator) smtpOutOfSequence(cmd smtpCmd) bool {
	if a.smtp.midway {
		return false // what came before is not in the log
	}
	switch cmd.verb {
	case "MAIL":
		return cmd.stateBefore == "connected" || cmd.stateBefore == "mail" || cmd.stateBefore == "rcpt"
	case "RCPT":
		return cmd.stateBefore != "mail" && cmd.stateBefore != "rcpt"
	case "DATA":
		return cmd.rcpts == 0
	case "AUTH":
		return cmd.stateBefore == "connected"
	}
	return false
}

// maskedKeyword reports an EHLO keyword overwritten by a firewall: X's,
// the last one sometimes an A ("XXXXXXXA" for STARTTLS).
func maskedKeyword(kw string) bool {
	return len(kw) >= 4 && strings.Trim(strings.TrimSuffix(kw, "A"), "X") == ""
}

// vendorKeywords are private EHLO keywords that help-desk logs are full of.
var vendorKeywords = map[string]string{
	"X-ANONYMOUSTLS": "Microsoft Exchange: TLS between Exchange servers without checking names",
	"X-EXPS":         "Microsoft Exchange: its own login between Exchange servers (Kerberos or NTLM)",
	"XEXCH50":        "Microsoft Exchange: passes Exchange's own message properties to another Exchange server",
	"XRDST":          "Microsoft Exchange: redirects a client to another server",
	"XSHADOW":        "Microsoft Exchange: shadow redundancy, a second server keeps a copy until delivery",
	"XSHADOWREQUEST": "Microsoft Exchange: shadow redundancy, a second server keeps a copy until delivery",
	"XOORG":          "Microsoft Exchange Online: names the organisation a message belongs to",
	"X-LINK2STATE":   "Microsoft Exchange 2000/2003: routing state between Exchange servers",
	"XCLIENT":        "Postfix: a trusted proxy passes on the real client's address and name",
	"XFORWARD":       "Postfix: a trusted content filter passes on the original client's details",
}

// smtpMalformedOutOfOrder returns problem, the syntax error of a MAIL or
// RCPT line, or, when the line also comes too early (MAIL before EHLO, RCPT
// before MAIL), both: servers check that first (go-smtp, Postfix), so the
// reply is 503, not 501. A second MAIL inside a transaction is parsed
// first.
func (a *SMTPAnnotator) smtpMalformedOutOfOrder(cmd smtpCmd, problem string) string {
	if !a.smtpOutOfSequence(cmd) || cmd.verb == "MAIL" && cmd.stateBefore != "connected" {
		return problem
	}
	problem = strings.TrimSuffix(problem, " (the server will answer 501)")
	return problem + "; it also comes out of order (" + a.smtpSequence(cmd) + "), which servers check first: the server will refuse this with 503"
}

// smtpSequence names what must come before cmd.
func (a *SMTPAnnotator) smtpSequence(cmd smtpCmd) string {
	switch cmd.verb {
	case "RCPT":
		if cmd.stateBefore == "connected" {
			return "EHLO, then MAIL FROM must come first"
		}
		return "MAIL FROM must come first: RCPT TO only names recipients of a message already started"
	case "DATA":
		if cmd.stateBefore == "connected" || cmd.stateBefore == "greeted" {
			return "MAIL FROM and at least one accepted RCPT TO must come first"
		}
		return "at least one accepted RCPT TO must come first"
	case "MAIL":
		if cmd.stateBefore == "connected" {
			return "EHLO (or HELO) must come first"
		}
		return "a message is already in progress: finish it or send RSET first"
	case "AUTH":
		if cmd.stateBefore == "connected" {
			return "EHLO must come first"
		}
		return "already logged in, or a message is in progress"
	case "BDAT":
		return "MAIL FROM and RCPT TO must come first"
	case "STARTTLS":
		return "EHLO must come first, and TLS may be started only once"
	}
	return "this command is not allowed at this point of the session"
}

// smtpPayload explains a DATA body or a BDAT chunk.
func (a *SMTPAnnotator) smtpPayload(l *Line, e wire.Event) {
	s := &a.smtp
	l.Verb = "DATA"
	// The model names the command a payload belongs to; the mark a log
	// reader puts where the log left it out follows the last command.
	bdat := e.Verb == "BDAT" || e.Verb == "" && s.sent.last == "BDAT"
	if len(e.Data) == 0 {
		// A log reader's mark: the log leaves the message out.
		l.Text = "[the message: not in this log]"
		l.Note = "the message (headers, blank line, body) and the \".\" line that ends it are not in this log: the program that wrote it logs commands and replies, not mail"
		l.RFC = "RFC 5321 §4.1.1.4"
		if bdat {
			l.Verb = "BDAT"
			l.Text = "[the chunk: not in this log]"
			l.Note = "the chunk of the message BDAT announced is not in this log: the program that wrote it logs commands and replies, not mail"
			l.RFC = "RFC 3030 §2"
		}
		l.State = s.state
		return
	}
	if bdat {
		l.Verb = "BDAT"
		m := summarise(e.Data, false)
		l.Text = "[BDAT chunk: " + plural(len(e.Data), "byte") + ", " + plural(m.lines, "line") + "]"
		l.Note = "a binary chunk of the message, exactly as many bytes as BDAT announced: " + a.describe(m)
		l.Detail = a.headerDetail(m)
		l.RFC = "RFC 3030 §2"
		l.State = s.state
		return
	}
	m := summarise(e.Data, true)
	end := "ends with <CRLF>.<CRLF>"
	if !(len(e.Data) >= 5 && string(e.Data[len(e.Data)-5:]) == "\r\n.\r\n") && string(e.Data) != ".\r\n" {
		end = "no end-of-data dot yet (cut or incomplete)"
	}
	l.Text = "[message body: " + plural(len(e.Data), "byte") + ", " + plural(m.lines, "line") + ", " + end + "]"
	l.Note = "the message: " + a.describe(m)
	if m.dotted > 0 {
		l.Note += "; " + plural(m.dotted, "line") + " began with a dot, doubled on the wire (dot-stuffing), the server removes the extra dot"
	}
	l.Note += "; the line holding only \".\" ends the data"
	l.Detail = a.headerDetail(m)
	l.RFC = "RFC 5321 §4.1.1.4, §4.5.2"
	l.State = s.state
}

// SMTPAnnotator explains an SMTP session: it pairs each reply with the
// command it answers, in order (RFC 2920 pipelining included), and keeps
// the envelope so far.
type SMTPAnnotator struct {
	base
	smtp smtpState
}

// NewSMTPAnnotator returns the annotator of one SMTP session.
func NewSMTPAnnotator(opts AnnotateOptions) *SMTPAnnotator {
	a := &SMTPAnnotator{base: newBase(wire.SMTP, opts)}
	a.smtp.init()
	return a
}

// Annotate explains one event of the session (see Annotator).
func (a *SMTPAnnotator) Annotate(e wire.Event) Line { return a.annotate(e, a) }

func (a *SMTPAnnotator) state() string { return a.smtp.state }

// startTLS: the server forgets what was said before TLS (RFC 3207 §4.2).
func (a *SMTPAnnotator) startTLS(l *Line) {
	l.RFC = "RFC 3207 §4.2"
	l.Note += ". The server forgets everything said before TLS: the client must send EHLO again"
	a.smtp.afterTLS()
}
