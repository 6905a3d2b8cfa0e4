package logs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Dovecot, the IMAP and POP3 server's own log (its log_path, or mail.log
// through syslog with "dovecot: " before each line). It keeps no
// conversation, only a line when a client logs in and one when it leaves,
// which says how it left and what it did:
//
//	Nov 26 10:28:52 pop3-login: Info: Login: user=<dlog>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=28206, secured, session=<sQeyaCthTo1/AAAB>
//	Nov 26 10:28:52 pop3(dlog)<28206><sQeyaCthTo1/AAAB>: Info: Disconnected: Logged out top=0/0, retr=1/32, del=0/1, size=17
//	Nov 26 10:28:56 imap-login: Info: Disconnected: Connection closed (auth failed, 1 attempts in 10 secs): user=<dlog>, method=PLAIN, rip=127.0.0.1, ...
//
// Each connection becomes a session with no lines, opened and closed with
// what Dovecot says, explained: these lines are what a help desk reads when
// "the password is not accepted" or "my mail disappeared".
var (
	dovecotLine = regexp.MustCompile(`(?:^|\s)(imap|pop3|submission|managesieve)(-login)?(?:\(([^)]*)\))?(?:<\d+>)?(?:<([^>]*)>)?: (?:(?:Info|Warning|Error|Fatal): )?(.*)$`)
	// dovecotLogin is a login process's "Login: user=<u>, method=M, ...".
	dovecotLogin = regexp.MustCompile(`^Login: (.*)$`)
	// dovecotLoginFailed is a login process giving up on a client.
	dovecotLoginFailed = regexp.MustCompile(`^(?:Disconnected|Aborted login)(?::? ?(.*?))? \(((?:auth failed|no auth attempts|disconnected before auth|tried to use)[^)]*)\): (.*)$`)
	// dovecotLogout is a mail process's last line for a session.
	dovecotLogout = regexp.MustCompile(`^Disconnected(?: for inactivity)?:? ?(.*)$`)
	dovecotField  = regexp.MustCompile(`(\w+)=(<[^>]*>|[^,\s]*)`)
)

func parseDovecot(p *parser, lines lineSeq) {
	p.inferTLS = true // for Postfix's conversation lines, if any
	d := &dovecotLog{}
	pf := newPostfixLog()
	for i, l := range lines {
		line := i + 1
		if strings.TrimSpace(l) == "" || d.line(p, l, line) {
			continue
		}
		// A mail.log holds Postfix's lines beside Dovecot's.
		if pf.line(p, l, line) {
			continue
		}
		if !strings.Contains(l, "dovecot") && !strings.Contains(l, "lmtp(") && !strings.Contains(l, "auth") {
			p.problem(line, l, "not a Dovecot log line")
		}
		// master, auth and lmtp lines: not a client session
	}
}

// dovecotLog is what the Dovecot reader keeps between lines.
type dovecotLog struct {
	failed int // sessions made of a failed login, for their keys
}

// line reads one line if it is a Dovecot client process's, and reports
// whether it was.
func (d *dovecotLog) line(p *parser, l string, line int) bool {
	m := dovecotLine.FindStringSubmatch(l)
	if m == nil {
		return false
	}
	proto := wire.IMAP
	switch m[1] {
	case "pop3":
		proto = wire.POP3
	case "submission":
		proto = wire.SMTP
	case "managesieve":
		return true // sieve filters: not a mail protocol this tutor explains
	}
	syslogTime(p, l, line)
	name := strings.ToUpper(m[1])
	text := m[5]
	switch {
	case m[2] != "" && dovecotLogin.MatchString(text):
		f := dovecotFields(text)
		key := "dovecot " + f["session"]
		p.setProto(key, proto)
		p.open(key, fmt.Sprintf("Dovecot: %s logged in to %s as %s with %s%s", f["rip"], name, f["user"], f["method"], dovecotSecurity(f)), line)
	case m[2] != "":
		fm := dovecotLoginFailed.FindStringSubmatch(text)
		if fm == nil {
			return true // the login process describing something else
		}
		f := dovecotFields(fm[3])
		d.failed++
		key := fmt.Sprintf("dovecot login %d %s", d.failed, f["session"])
		p.setProto(key, proto)
		p.open(key, fmt.Sprintf("Dovecot: a client from %s connected to %s%s", f["rip"], name, dovecotSecurity(f)), line)
		said, _, _ := strings.Cut(text, "): ")
		p.close(key, "Dovecot: "+said+"): "+dovecotLoginProblem(fm[1], fm[2], f), line)
	case m[4] != "":
		lm := dovecotLogout.FindStringSubmatch(text)
		if lm == nil {
			return true
		}
		key := "dovecot " + m[4]
		p.setProto(key, proto)
		p.close(key, "Dovecot: "+text+": "+dovecotLogoutMeaning(proto, m[3], text, lm[1]), line)
	}
	return true
}

// dovecotFields reads "user=<u>, method=PLAIN, rip=..." into a map; the
// words without "=" (secured, TLS) count as fields set to "yes".
func dovecotFields(s string) map[string]string {
	f := map[string]string{}
	for _, m := range dovecotField.FindAllStringSubmatch(s, -1) {
		f[m[1]] = strings.Trim(m[2], "<>")
	}
	for _, word := range strings.Split(s, ", ") {
		word = strings.TrimSpace(word)
		switch {
		case strings.HasPrefix(word, "TLS handshaking"):
			f["handshake"] = word
		case !strings.Contains(word, "="):
			f[word] = "yes"
		}
	}
	return f
}

// dovecotSecurity says how the connection was protected.
func dovecotSecurity(f map[string]string) string {
	switch {
	case f["TLS"] == "yes":
		return ", over TLS"
	case f["secured"] == "yes":
		return ", without TLS, on a connection Dovecot counts as secure (from this machine, or from a network it is told to trust)"
	case f["handshake"] != "":
		return ", and began a TLS handshake"
	}
	return ", without TLS: the password crossed the network readable"
}

// dovecotLoginProblem explains why a client left before or at login.
func dovecotLoginProblem(reason, what string, f map[string]string) string {
	why := ""
	switch {
	case strings.HasPrefix(what, "auth failed"):
		why = "the login was refused: wrong user name or password (" + what + "; Dovecot answers a failed login only after a delay, to slow down password guessing)"
	case strings.HasPrefix(what, "tried to use disallowed"):
		why = "the client tried to log in in a way this server forbids (" + what + "), usually a password over a connection without TLS: switch on STARTTLS or SSL/TLS in the account settings"
	default:
		why = "the client left without trying to log in (" + what + ")"
	}
	if !strings.HasPrefix(what, "no auth attempts") {
		return why
	}
	tls := strings.ToLower(reason + " " + f["handshake"])
	switch {
	case strings.Contains(tls, "unknown ca") || strings.Contains(tls, "certificate unknown") || strings.Contains(tls, "bad certificate"):
		why += "; the TLS handshake failed because the client does not trust the server's certificate (signed by no authority it knows, or self-signed): the mail program shows a certificate warning, or refuses outright"
	case strings.Contains(tls, "wrong version number") || strings.Contains(tls, "http request"):
		why += "; the client did not speak TLS where TLS was expected: a mail program set to SSL/TLS on a STARTTLS port, or the other way round"
	case strings.Contains(tls, "no shared cipher") || strings.Contains(tls, "protocol version") || strings.Contains(tls, "unsupported protocol"):
		why += "; client and server have no TLS version or cipher in common (an old mail program, or a server that refuses old TLS)"
	case strings.Contains(tls, "connection reset") || strings.Contains(tls, "connection closed"):
		why += "; it just closed the connection (a probe, a port check, or a mail program that gave up)"
	}
	return why
}

// dovecotLogoutMeaning explains a mail process's "Disconnected: ..." line:
// how the session ended and what the client did.
func dovecotLogoutMeaning(proto wire.Proto, user, text, rest string) string {
	how := "the connection ended"
	switch {
	case strings.HasPrefix(rest, "Logged out"):
		how = "the client logged out properly (" + map[bool]string{true: "QUIT", false: "LOGOUT"}[proto == wire.POP3] + ")"
	case strings.HasPrefix(text, "Disconnected for inactivity"), strings.HasPrefix(rest, "Inactivity"):
		how = "the client stayed silent too long and Dovecot closed the connection"
	case strings.HasPrefix(rest, "Connection closed"):
		how = "the client dropped the connection without logging out"
		if proto == wire.POP3 {
			how += ": in POP3 that deletes nothing, even messages marked with DELE (RFC 1939 §6)"
		}
	}
	f := map[string]string{} // the counters: the words with "=" in them
	for _, word := range strings.Fields(strings.ReplaceAll(rest, ",", " ")) {
		if k, v, ok := strings.Cut(word, "="); ok {
			f[k] = v
		}
	}
	if proto == wire.POP3 {
		if retr, ok := f["retr"]; ok {
			how += "; " + pop3Counts(retr, f["del"], f["top"])
		}
	} else if in, ok := f["in"]; ok {
		how += fmt.Sprintf("; the client sent %s bytes and received %s", in, f["out"])
		if n := f["expunged"]; n != "" && n != "0" {
			how += "; " + counted(n, "message") + " expunged (removed for good)"
		}
		if n := f["body_count"]; n != "" && n != "0" {
			how += "; " + counted(n, "message body", "message bodies") + " fetched"
		}
	}
	if user != "" {
		how = "user " + user + ": " + how
	}
	return how
}

// pop3Counts explains Dovecot's POP3 counters "retr=1/32, del=0/1,
// top=0/0": the messages downloaded (and their bytes), the messages
// deleted out of those in the maildrop.
func pop3Counts(retr, del, top string) string {
	got, bytes, _ := strings.Cut(retr, "/")
	gone, of, _ := strings.Cut(del, "/")
	s := counted(got, "message") + " downloaded with RETR (" + bytes + " bytes)"
	if t, _, _ := strings.Cut(top, "/"); t != "" && t != "0" {
		s += ", " + counted(t, "header") + " peeked at with TOP"
	}
	if gone == "0" {
		return s + "; none of the " + counted(of, "message") + " in the maildrop deleted: the mail stays on the server (a mail program set to leave a copy)"
	}
	return s + "; " + gone + " of the " + counted(of, "message") + " in the maildrop deleted (DELE, then QUIT)"
}

// counted writes "1 message", "2 messages" (or the plural given) for a
// count Dovecot wrote as digits.
func counted(n, one string, many ...string) string {
	if n == "1" {
		return n + " " + one
	}
	if len(many) > 0 {
		return n + " " + many[0]
	}
	return n + " " + one + "s"
}
