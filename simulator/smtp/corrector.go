package smtp

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Corrector holds this package's corrections to go-smtp's conversation
// for one connection: where go-smtp answers differently from the RFCs,
// or would mishandle a line, the simulator's tap (simulator/tap) asks the
// Corrector what to say or hand on instead, on the plaintext it sees
// (it implements tap.Corrector and tap.BodyTaker). It also carries to the
// session what the tap learnt for it: whether the client greeted with HELO
// (go-smtp keeps the name but not the command), and a DATA body the tap
// read on go-smtp's behalf.
//
// Every correction names go-smtp's behaviour and the rule it follows
// instead.
type Corrector struct {
	// domains are the world's local domains, for RCPT TO:<Postmaster>.
	domains func() []string
	// maxSize is the message size limit go-smtp enforces.
	maxSize int64

	// saidHELO: the client's last greeting was HELO, not EHLO, so the
	// Received header says "with SMTP" (see session.protocol).
	saidHELO atomic.Bool

	// A DATA body the tap read for go-smtp (TakeBody), until the session
	// takes it (heldBody).
	bodyMu sync.Mutex
	body   []byte
}

// Corrector returns the corrections for the connection conn, which the
// caller is about to hand to this server's listener: the session go-smtp
// runs over conn finds it there (explicitly handed over, see
// endListener), for the greeting and the held body.
func (s *Server) Corrector(conn net.Conn) *Corrector {
	c := &Corrector{domains: s.opts.Store.Domains, maxSize: s.opts.MaxMessageBytes}
	s.mu.Lock()
	if s.correctors == nil {
		s.correctors = make(map[net.Conn]*Corrector)
	}
	s.correctors[conn] = c
	s.mu.Unlock()
	return c
}

// takeCorrector returns, and forgets, the Corrector registered for a
// connection the listener accepted (nil when it was served without one).
func (s *Server) takeCorrector(conn net.Conn) *Corrector {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.correctors[conn]
	delete(s.correctors, conn)
	return c
}

// LineLimit: go-smtp hangs up on a command line longer than MaxLineLength.
func (c *Corrector) LineLimit() int { return MaxLineLength }

// TooLong answers a command line over LineLimit, which never reaches
// go-smtp: it would answer 500 5.4.0 and hang up, where RFC 5321
// §4.5.3.1.10 wants an error and a session that goes on.
func (c *Corrector) TooLong(string) string {
	return "500 5.5.2 Line too long: this server reads command lines of up to " + strconv.Itoa(MaxLineLength) + " octets\r\n"
}

// WholeLines: most of go-smtp's refusals are corrected (Reply), so its
// lines go out whole; its replies are short, written in one go.
func (c *Corrector) WholeLines() bool { return true }

// Farewell: go-smtp says goodbye itself.
func (c *Corrector) Farewell() string { return "" }

// Command answers the client lines go-smtp would mishandle, and rewrites
// the ones it would refuse although the RFCs require them accepted:
//   - HELP, which go-smtp does not implement (smtpHelp).
//   - STARTTLS with anything after it. go-smtp takes every line that
//     starts with those letters for STARTTLS ("STARTTLSX" too, which the
//     relay would not recognise, and the TLS handshake would stall); RFC
//     3207 §4 allows no parameters: 501, and "STARTTLSX" is no command: 500.
//   - a HELO/EHLO name that is not printable UTF-8 (go-smtp asks the
//     backend only at the first greeting), VRFY with nothing to verify
//     (go-smtp answers 252 to anything), and RSET or QUIT with parameters
//     (go-smtp ignores them; the grammar allows none).
//   - MAIL with a SIZE too big for go-smtp's 32 bits (hugeSize), and
//     RCPT TO:<Postmaster> without a domain (postmaster): rewritten.
func (c *Corrector) Command(p wire.Piece) (reply string, hangUp bool, line []byte) {
	if !p.Continues && p.Dir == wire.FromClient {
		if reply := refuseSMTP(p); reply != "" {
			return reply, false, nil
		}
	}
	switch p.Verb {
	case "HELO", "EHLO":
		c.saidHELO.Store(p.Verb == "HELO")
	case "MAIL":
		return "", false, hugeSize(p)
	case "RCPT":
		if p.Dir == wire.FromClient {
			return "", false, c.postmaster(p)
		}
	}
	return "", false, nil
}

// Reply gives go-smtp's replies the codes the RFCs prescribe (mapLibraryReply).
func (c *Corrector) Reply(p wire.Piece) ([]byte, bool) {
	fixed := mapLibraryReply(p.Data)
	if len(fixed) == len(p.Data) && (len(fixed) == 0 || &fixed[0] == &p.Data[0]) {
		return nil, p.OK
	}
	return fixed, p.OK
}

// BodyLimits are go-smtp's line limit and the message size limit, at most
// bodyHoldMax: an attachment of several megabytes gains little from being
// taken, and a session then never holds more than this beside what
// go-smtp itself buffers.
func (c *Corrector) BodyLimits() (maxLine, maxSize int) {
	return MaxLineLength, int(min(c.maxSize, bodyHoldMax))
}

// bodyHoldMax is the largest body the tap takes for go-smtp.
const bodyHoldMax = 1 << 20

// TakeBody keeps a DATA body the tap read for go-smtp (nil: a body
// starts), until the session takes it (heldBody). go-smtp reads a message
// body a byte at a time, through two byte-wise loops (its line-length
// check and its dot-unstuffing state machine): about a tenth of the CPU of
// receiving a 2 KB message. The tap takes only bodies go-smtp would hand
// over unchanged, and go-smtp gets the ".\r\n" that ends them: an empty
// message, which Data replaces with this one.
func (c *Corrector) TakeBody(body []byte) {
	c.bodyMu.Lock()
	c.body = body
	c.bodyMu.Unlock()
}

// heldBody returns the body the tap read for the DATA command that just
// ended, and forgets it; false when go-smtp read the body itself.
func (c *Corrector) heldBody() ([]byte, bool) {
	c.bodyMu.Lock()
	defer c.bodyMu.Unlock()
	body := c.body
	c.body = nil
	return body, body != nil
}

// SaidHELO reports whether the client's last greeting was HELO.
func (c *Corrector) SaidHELO() bool { return c.saidHELO.Load() }

// refuseSMTP answers an SMTP command line go-smtp would mishandle, or
// returns "".
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
		return HelloRefusal(strings.TrimSpace(name))
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
// HELP deserves some. HELP changes no state, so the tap can answer it.
// Every line carries the enhanced code, as RFC 2034 §4 asks.
const smtpHelp = "214-2.0.0 mailtutor's simulated mail server. Commands (RFC 5321):\r\n" +
	"214-2.0.0 EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP VRFY QUIT\r\n" +
	"214-2.0.0 A message: EHLO your.name, MAIL FROM:<you>, RCPT TO:<them>, DATA,\r\n" +
	"214-2.0.0 then the message and a line holding only \".\", then QUIT.\r\n" +
	"214 2.0.0 AUTH works on the submission port, after STARTTLS (at once on port 465).\r\n"

// postmaster rewrites "RCPT TO:<Postmaster>" without a domain, which must
// be accepted (RFC 5321 §4.1.1.3 and §4.5.1) and which go-smtp's parser
// refuses (it wants an "@"): it is handed on as postmaster of the world's
// first domain, whose postmaster the server resolves like any other
// (postmasterOf). It returns nil for every other line.
func (c *Corrector) postmaster(p wire.Piece) []byte {
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
	if c.domains == nil {
		return nil
	}
	domains := c.domains()
	if len(domains) == 0 {
		return nil
	}
	line := []byte("RCPT TO:<" + string(rest[1:len(bare)-1]) + "@" + domains[0] + ">")
	line = append(line, rest[len(bare):]...)
	return append(line, "\r\n"...)
}

// hugeSize rewrites a MAIL line whose SIZE= is a number too big for
// go-smtp, which reads it as 32 bits and answers "501 Unable to parse SIZE
// as an integer". It is a valid number (RFC 1870 allows 20 digits), and a
// message that big exceeds this server's limit: the answer RFC 1870 §6.1
// gives is 552 5.3.4, which go-smtp sends once it reads the largest size it
// can hold instead. It returns nil for every other line.
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

// mapLibraryReply gives go-smtp's acceptance of MAIL and RCPT their
// address status codes (addressStatus), and turns go-smtp's "502 5.5.1"
// answers to commands given out of order into the "503 5.5.1" that RFC 5321
// §4.3.2 prescribes ("bad sequence of commands"). go-smtp's maintainers
// chose 502; mailtutor teaches the RFC. Only the library's known sequence
// messages are mapped: a genuine "command not implemented" stays 502.
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
// sends instead. It is built once and only read.
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
