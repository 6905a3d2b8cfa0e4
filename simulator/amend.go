package simulator

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailtutor/mailtutor/simulator/imap"
	"github.com/mailtutor/mailtutor/simulator/smtp"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// This file holds what the relay amends in the server libraries'
// conversations: where go-smtp or go-imap answer differently from the RFCs,
// answer nothing, or would be thrown off by a malformed line, the relay
// answers or rewrites the reply itself. Every amendment names the library's
// behaviour and the rule it follows instead; the tap sees the conversation
// as the client does.

// refuseMalformed answers, in the relay, the client lines that the server
// libraries would mishandle, and returns "" for every other line:
//   - IMAP: a line that does not even start like a command: a blank line,
//     no tag ("NOOP", `LIST "" *`), no command after the tag. go-imap's
//     server hangs up on such a line without a word; RFC 9051 §7.1.5 says
//     the server answers BAD (tagged when it could read a tag), and the
//     learner deserves to know why.
//   - IMAP: a synchronising literal go-imap will not take (refuseBigLiteral).
//   - IMAP: a command whose quoted string does not end on its line: go-imap
//     reads the client's next lines into the string and the session hangs.
//   - SMTP: HELP, which go-smtp does not implement (smtpHelp).
//   - SMTP: STARTTLS with anything after it. go-smtp takes every line that
//     starts with those letters for STARTTLS ("STARTTLSX" too, which the
//     relay would not recognise, and the TLS handshake would stall); RFC
//     3207 §4 allows no parameters: 501, and "STARTTLSX" is no command: 500.
//   - SMTP: a HELO/EHLO name that is not printable UTF-8 (go-smtp asks the
//     backend only at the first greeting), VRFY with nothing to verify
//     (go-smtp answers 252 to anything), and RSET or QUIT with parameters
//     (go-smtp ignores them; the grammar allows none).
func (s *session) refuseMalformed(p wire.Piece) string {
	if p.Continues || p.Dir != wire.FromClient {
		return ""
	}
	switch s.proto {
	case wire.SMTP:
		return refuseSMTP(p)
	case wire.IMAP:
		return s.refuseIMAP(p)
	}
	return ""
}

// refuseSMTP is refuseMalformed for an SMTP command line.
func refuseSMTP(p wire.Piece) string {
	switch {
	case p.Verb == "HELP":
		return smtpHelp
	case strings.HasPrefix(p.Verb, "STARTTLS"), p.Verb == "HELO", p.Verb == "EHLO", p.Verb == "VRFY", p.Verb == "RSET", p.Verb == "QUIT":
	default:
		return "" // the usual case, decided without copying the line
	}
	text := strings.TrimRight(string(p.Data), "\r\n \t")
	switch {
	case p.Verb == "STARTTLS" && !strings.EqualFold(text, "STARTTLS"):
		return "501 5.5.4 Syntax error: STARTTLS takes no parameters (RFC 3207 §4)\r\n"
	case strings.HasPrefix(p.Verb, "STARTTLS") && p.Verb != "STARTTLS":
		return "500 5.5.2 Syntax error, command unrecognized\r\n"
	case p.Verb == "HELO" || p.Verb == "EHLO":
		_, name, _ := strings.Cut(text, " ")
		return smtp.HelloRefusal(strings.TrimSpace(name))
	case (p.Verb == "RSET" || p.Verb == "QUIT") && !strings.EqualFold(text, p.Verb):
		// RFC 5321 §4.1.1.5 and §4.1.1.10: neither takes parameters
		// ("rset = "RSET" CRLF"); go-smtp ignores them, Postfix answers 501.
		return "501 5.5.4 Syntax error: " + p.Verb + " takes no parameters (RFC 5321 §4.1.1)\r\n"
	case p.Verb == "VRFY" && !strings.Contains(strings.TrimSpace(text), " "):
		// go-smtp answers 252 whatever follows, even nothing.
		return "501 5.5.4 Syntax error: VRFY needs a user name or mailbox, e.g. VRFY alice (RFC 5321 §4.1.1.6)\r\n"
	}
	return ""
}

// smtpHelp answers HELP, which go-smtp does not implement (502): RFC 5321
// §4.1.1.8 has the server answer with help text, and a learner typing
// HELP deserves some. HELP changes no state, so the relay can answer it.
// Every line carries the enhanced code, as RFC 2034 §4 asks.
const smtpHelp = "214-2.0.0 mailtutor's simulated mail server. Commands (RFC 5321):\r\n" +
	"214-2.0.0 EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP VRFY QUIT\r\n" +
	"214-2.0.0 A message: EHLO your.name, MAIL FROM:<you>, RCPT TO:<them>, DATA,\r\n" +
	"214-2.0.0 then the message and a line holding only \".\", then QUIT.\r\n" +
	"214 2.0.0 AUTH works on the submission port, after STARTTLS (at once on port 465).\r\n"

// refuseIMAP is refuseMalformed for the first line of an IMAP command.
func (s *session) refuseIMAP(p wire.Piece) string {
	if reply := s.refuseBigLiteral(p); reply != "" {
		return reply
	}
	tag, problem := wire.IMAPHeadOf(p.Data)
	if problem == wire.IMAPHeadOK {
		if wire.IMAPQuoteOpen(p.Data) {
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

// imapMaxLine is the longest IMAP command line the relay hands to go-imap,
// with its CRLF (literals are not counted). RFC 7162 §4 asks servers to
// take at least 8192 octets; Dovecot stops at 64 KB.
const imapMaxLine = 32 * 1024

// emptySASLChallenge is how go-imap asks for an AUTHENTICATE response with
// an empty challenge: "=" is SASL-IR's sign for an empty *initial
// response* (RFC 4959), not base64, and a strict client decoding every
// challenge fails on it. RFC 9051 §6.2.2 sends the empty base64 string,
// "+ " alone; the relay does so (fromServer).
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
func (s *session) noteSaveOnly(line []byte) {
	words := bytes.Fields(wire.TrimEOL(line))
	i := 2 // after the tag and SEARCH
	if len(words) > 2 && bytes.EqualFold(words[1], []byte("UID")) {
		i = 3
	}
	if len(words) < i+2 || !bytes.EqualFold(words[i], []byte("RETURN")) || !bytes.EqualFold(words[i+1], []byte("(SAVE)")) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveOnly == nil {
		s.saveOnly = make(map[string]bool)
	}
	if len(s.saveOnly) < 100 { // bounded against a client that never waits
		s.saveOnly[string(words[0])] = true
		s.saveOnlyAny.Store(true)
	}
}

// silentSave reports whether a server line is the ESEARCH response to a
// SAVE-only SEARCH (noteSaveOnly), which the relay leaves out; the tagged
// reply that ends such a SEARCH forgets its tag.
func (s *session) silentSave(p wire.Piece) bool {
	if !s.saveOnlyAny.Load() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Answers != "" {
		tag, _, _ := bytes.Cut(p.Data, []byte(" "))
		delete(s.saveOnly, string(tag))
		s.saveOnlyAny.Store(len(s.saveOnly) > 0)
		return false
	}
	const head = `* ESEARCH (TAG "`
	if !bytes.HasPrefix(p.Data, []byte(head)) {
		return false
	}
	tag, _, ok := bytes.Cut(p.Data[len(head):], []byte(`"`))
	return ok && s.saveOnly[string(tag)]
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

// binaryOrigin puts back the origin of a partial BINARY fetch in a FETCH
// response line (imap.CorrectBinaryOrigin: go-imap writes BINARY[1] for
// BINARY.PEEK[1]<0.40>, where RFC 3516 §4.2 wants BINARY[1]<0>). It
// changes p's data and returns the edit of the chunk, which it can make
// while the corrected bytes have not gone out with an earlier chunk.
func binaryOrigin(p *wire.Piece) (edit, bool) {
	start, end, with, ok := imap.CorrectBinaryOrigin(p.Data)
	if !ok {
		return edit{}, false
	}
	base := p.End - len(p.Data) // where p's data starts in the chunk (< 0: in an earlier one)
	if base+start < 0 {
		return edit{}, false
	}
	fixed := append(append(append([]byte(nil), p.Data[:start]...), with...), p.Data[end:]...)
	p.Data = fixed
	return edit{start: base + start, end: base + end, with: with}, true
}

// tooLongReply answers a command line over the relay's limit (lineLimit),
// which never reaches the library: go-smtp would answer 500 5.4.0 and hang
// up, and go-imap would answer and then hang up at the client's next line,
// where RFC 5321 §4.5.3.1.10 and RFC 9051 §7.1.5 want an error and a
// session that goes on. head is how the line started. (A line that
// continues a command, an AUTH response among them, is the library's to
// answer: see holdOpenLine.)
func (s *session) tooLongReply(head string) string {
	switch s.proto {
	case wire.SMTP:
		return "500 5.5.2 Line too long: this server reads command lines of up to " + strconv.Itoa(smtp.MaxLineLength) + " octets\r\n"
	case wire.IMAP:
		tag := "*"
		if t, problem := wire.IMAPHeadOf([]byte(head)); t != "" && problem != wire.IMAPHeadOneWord {
			tag = t // a tag followed by more: the line's command, too long to read
		}
		return tag + " BAD [LIMIT] Command line too long: this server reads command lines of up to 32 KB, literals aside\r\n"
	}
	return ""
}

// imapBufferedLiteralMax is the largest literal go-imap's server accepts in
// a command other than APPEND (its checkBufferedLiteral).
const imapBufferedLiteralMax = 4096

// refuseBigLiteral answers a command line that announces a literal go-imap
// will not take (over 4096 bytes, outside APPEND). go-imap refuses it
// without a word and then reads the client's next bytes as if they were
// the literal; a client waiting for "+" hangs. RFC 9051 §7.1 lets the
// server refuse the literal with a tagged NO instead of "+"; the [TOOBIG]
// code is RFC 4469's. A non-synchronising literal (RFC 7888 §4) is refused
// the same way, and its bytes, which the client sends all the same, are
// dropped (the splitter marks them). Only on a command's first line: once
// go-imap has read part of a command (an earlier literal), it must see the
// rest.
func (s *session) refuseBigLiteral(p wire.Piece) string {
	if p.Literal == wire.NoLiteral || p.LiteralSize <= imapBufferedLiteralMax || p.Verb == "APPEND" || p.Tag == "" {
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

// mapLibraryReply gives go-smtp's acceptance of MAIL and RCPT their
// address status codes (addressStatus), and turns go-smtp's "502 5.5.1"
// answers to commands given out of order into the "503 5.5.1" that RFC 5321
// §4.3.2 prescribes ("bad sequence of commands"). go-smtp's maintainers chose 502; mailtutor teaches
// the RFC. Only the library's known sequence messages are mapped: a genuine
// "command not implemented" stays 502.
//
// It also turns go-smtp's "454 4.7.0 Invalid base64 data" (an AUTH response
// that does not decode) into the permanent "501 5.5.2" that RFC 4954 §4
// requires: a 4xx tells the client to try the same thing again later. And
// its "501 5.5.2 Bad command", its answer to a line whose first word is not
// four letters and a space ("FOO", "HELLO there"), into the "500" of RFC
// 5321 §4.2.4: the command is not recognised, no argument is at fault. And
// its "502" (not implemented) to an AUTH without a mechanism into the 501 of
// a syntax error. And its 500 and 504 for MAIL and RCPT parameters it does
// not know or support into the 555 that RFC 5321 §4.1.1.11 prescribes.
func mapLibraryReply(line []byte) []byte {
	if len(line) > 10 && line[0] == '2' {
		return addressStatus(line)
	}
	if len(line) < 4 || line[0] < '4' {
		return line // successes and go-aheads pass as they are
	}
	if to, ok := libraryReplies[string(line)]; ok {
		return []byte(to)
	}
	if bytes.HasPrefix(line, []byte("504 5.5.4 ")) && bytes.HasSuffix(line, []byte(" is not implemented\r\n")) {
		// A parameter of an extension this server does not offer (NOTIFY
		// and ORCPT of DSN, MT-PRIORITY...): 555, as for an unknown one.
		param := string(line[len("504 5.5.4 ") : len(line)-len(" is not implemented\r\n")])
		return []byte("555 5.5.4 " + param + " is not supported: this server's EHLO reply does not offer its extension\r\n")
	}
	return line
}

// addressStatus gives go-smtp's acceptance of a sender or a recipient the
// enhanced code that says what was accepted, as real servers do (Postfix,
// Exchange and Gmail alike): 2.1.0 for MAIL, 2.1.5 ("destination address
// valid") for RCPT (RFC 3463 §3.2, RFC 5248's registry), where go-smtp
// says 2.0.0 to both.
func addressStatus(line []byte) []byte {
	for _, r := range [...]struct{ from, to string }{
		{"250 2.0.0 Roger, accepting mail from <", "250 2.1.0 "},
		{"250 2.0.0 I'll make sure <", "250 2.1.5 "},
	} {
		if bytes.HasPrefix(line, []byte(r.from)) {
			return append([]byte(r.to), line[len("250 2.0.0 "):]...)
		}
	}
	return line
}

// libraryReplies maps go-smtp's reply lines to the ones mapLibraryReply
// sends instead.
var libraryReplies = func() map[string]string {
	m := map[string]string{
		"454 4.7.0 Invalid base64 data\r\n": "501 5.5.2 Invalid base64 data: an AUTH response must be base64 (RFC 4954 §4)\r\n",
		"501 5.5.2 Bad command\r\n":         "500 5.5.2 Syntax error, command unrecognized\r\n",
		"502 5.5.4 Missing parameter\r\n":   "501 5.5.4 Missing parameter: AUTH needs a mechanism name such as PLAIN (RFC 4954 §4)\r\n", // AUTH alone
		// RFC 5321 §4.1.1.11: a MAIL or RCPT parameter the server does not
		// recognise gets 555.
		"500 5.5.4 Unknown MAIL FROM argument\r\n": "555 5.5.4 Unknown MAIL FROM parameter: only those of the extensions listed by EHLO are allowed\r\n",
		"500 5.5.4 Unknown RCPT TO argument\r\n":   "555 5.5.4 Unknown RCPT TO parameter: only those of the extensions listed by EHLO are allowed\r\n",
	}
	// Commands out of sequence; a genuine "command not implemented" stays 502.
	for _, text := range []string{
		"Please introduce yourself first.",
		"MAIL not allowed during message transfer",
		"Missing MAIL FROM command.",
		"RCPT not allowed during message transfer",
		"DATA not allowed during message transfer",
		"Missing RCPT TO command.",
		"Already running in TLS",
	} {
		m["502 5.5.1 "+text+"\r\n"] = "503 5.5.1 " + text + "\r\n"
	}
	return m
}()

// byeIfSilent tells an IMAP client why the server is hanging up, when the
// server did not. go-imap closes the connection without a word when it
// cannot read a command line at all (a line of 10 KB of garbage, a 1 MB
// line) or the client stayed idle too long; RFC 9051 §7.1.5 has the server
// send BYE first, and a learner should see why the line went dead.
func (s *session) byeIfSilent() {
	if s.proto != wire.IMAP || s.saidBye.Load() || s.isClosed() {
		return
	}
	bye := []byte("* BYE Closing the connection: the last line could not be read as a command (too long, or not a command at all), or the client was idle too long\r\n")
	s.publish(wire.Event{Dir: wire.FromServer, Kind: wire.Line, Data: bye})
	s.writeClient(bye)
}

// rewriteLine returns the line the server library should get instead of a
// client line it would refuse although the RFCs require it to be accepted,
// or would leave unanswered, or nil. The tap still shows the line as the
// client sent it.
//
// SMTP "RCPT TO:<Postmaster>" without a domain must be accepted (RFC 5321
// §4.1.1.3 and §4.5.1); go-smtp's parser wants an "@". It is handed on as
// postmaster of the world's first domain, whose postmaster the SMTP server
// resolves like any other (postmasterOf).
func (s *session) rewriteLine(p wire.Piece) []byte {
	if s.proto == wire.IMAP && p.Continues && p.Verb == "IDLE" {
		// IMAP's keywords are case-insensitive, DONE too (RFC 2177 §3's
		// ABNF, RFC 5234 §2.3); go-imap takes only "DONE" and answers
		// "done" with BAD.
		if text := wire.TrimEOL(p.Data); strings.EqualFold(string(text), "DONE") && string(text) != "DONE" {
			return []byte("DONE\r\n")
		}
		return nil
	}
	if s.proto == wire.IMAP && (p.Verb == "LIST" || p.Verb == "LSUB") && !p.Continues {
		return imap.EscapeStrayAmpersands(p.Data)
	}
	if s.proto == wire.SMTP && p.Verb == "MAIL" {
		return hugeSize(p)
	}
	if s.proto != wire.SMTP || p.Verb != "RCPT" || p.Dir != wire.FromClient {
		return nil
	}
	text := wire.TrimEOL(p.Data)
	const prefix = "RCPT TO:"
	if len(text) < len(prefix) || !bytes.EqualFold(text[:len(prefix)], []byte(prefix)) {
		return nil
	}
	rest := bytes.TrimLeft(text[len(prefix):], " ")
	const bare = "<postmaster>"
	if len(rest) < len(bare) || !bytes.EqualFold(rest[:len(bare)], []byte(bare)) {
		return nil
	}
	domains := s.sim.store.Domains()
	if len(domains) == 0 {
		return nil
	}
	line := []byte("RCPT TO:<" + string(rest[1:len(bare)-1]) + "@" + domains[0] + ">")
	line = append(line, rest[len(bare):]...)
	return append(line, "\r\n"...)
}

// appendEnd checks the line right after an APPEND's message literal, where
// only the line end may follow (or ")" and the line end after the UTF8
// form). Given
// anything else go-imap has already stored the message and then returns
// without a word. It returns the refusal for such a line, "" when the line
// is well formed: the relay holds back the message's last byte until then
// and hangs up after the refusal (RFC 9051 §7.1.5: BAD, then BYE), so the
// message is never complete and never stored.
func appendEnd(p wire.Piece) string {
	text := wire.TrimEOL(p.Data)
	switch {
	case len(text) == 0 || string(text) == ")":
		return ""
	case p.Literal != wire.NoLiteral:
		// Another message: MULTIAPPEND (RFC 3502), which go-imap would
		// take as one APPEND, storing the first message and then failing.
		return p.Tag + " BAD [CLIENTBUG] One message per APPEND: this server does not offer MULTIAPPEND (RFC 3502); nothing was stored\r\n" +
			"* BYE Closing the connection: the rest of that APPEND cannot be read as commands\r\n"
	}
	return p.Tag + " BAD [CLIENTBUG] Syntax error: an APPEND ends right after the message, with a line end (RFC 9051 §6.3.12); the message was not stored\r\n" +
		"* BYE Closing the connection after a malformed APPEND\r\n"
}

// hugeSize is rewriteLine for a MAIL line whose SIZE= is a number too big
// for go-smtp, which reads it as 32 bits and answers "501 Unable to parse
// SIZE as an integer". It is a valid number (RFC 1870 allows 20 digits),
// and a message that big exceeds this server's limit: the answer RFC 1870
// §6.1 gives is 552 5.3.4, which go-smtp sends once it reads the largest
// size it can hold instead.
func hugeSize(p wire.Piece) []byte {
	text := wire.TrimEOL(p.Data)
	start := -1 // where the value of " SIZE=" starts, in any case (no upper-cased copy: every MAIL line comes here)
	for i, c := range text {
		if c == '=' && i >= len(" SIZE") && bytes.EqualFold(text[i-len(" SIZE"):i], []byte(" SIZE")) {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil
	}
	end := start
	for end < len(text) && text[end] >= '0' && text[end] <= '9' {
		end++
	}
	if end == start || end < len(text) && text[end] != ' ' {
		return nil // not a number: go-smtp's 501 is right
	}
	if digits := end - start; digits < 10 || digits > 20 {
		return nil // go-smtp reads it; or more digits than RFC 1870 allows
	}
	if _, err := strconv.ParseUint(string(text[start:end]), 10, 32); err == nil {
		return nil // ten digits that still fit in 32 bits
	}
	line := append([]byte(nil), text[:start]...)
	line = append(line, "4294967295"...)
	line = append(line, text[end:]...)
	return append(line, "\r\n"...)
}
