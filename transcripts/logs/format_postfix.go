package logs

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Postfix, the mail server's own log (/var/log/mail.log, or journalctl -u
// postfix), read in two ways.
//
// Every day it holds one line per refusal and per delivery attempt, which
// names the command and quotes the reply; each becomes a short session of
// its own that says it was rebuilt from such a line:
//
//	Nov 26 09:43:21 mx postfix/smtpd[25595]: NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 454 4.7.1 <someone@gmail.com>: Relay access denied; from=<alice@example.com> to=<someone@gmail.com> proto=ESMTP helo=<vm>
//	Nov 26 10:12:33 mx postfix/smtp[15998]: 85D7BB8835: to=<nosuchuser@example.com>, relay=127.0.0.1[127.0.0.1]:16025, ..., status=bounced (host 127.0.0.1[127.0.0.1] said: 550 5.1.1 ... (in reply to RCPT TO command))
//
// For a client listed in debug_peer_list (or with smtpd -v) it holds the
// whole conversation, each line a Postfix process sends or receives logged
// with an arrow, ">" for what Postfix sent and "<" for what it received:
//
//	Nov 26 09:35:40 mx postfix/smtpd[21280]: connect from unknown[127.0.0.1]
//	Nov 26 09:35:40 mx postfix/smtpd[21280]: > unknown[127.0.0.1]: 220 mx.example.net ESMTP Postfix
//	Nov 26 09:35:40 mx postfix/smtpd[21280]: < unknown[127.0.0.1]: EHLO vm
//	Nov 26 09:40:17 mx postfix/smtp[23867]: > 127.0.0.1[127.0.0.1]:11025: EHLO mx.example.net
//	Nov 26 09:35:40 mx postfix/smtpd[21280]: disconnect from unknown[127.0.0.1] ehlo=1 mail=1 quit=1 commands=3
//
// smtpd is the server side, so its ">" lines are the server's; smtp and
// lmtp are Postfix delivering onwards as a client, so their ">" lines are
// the client's. Everything else a Postfix process logs (lookups, queue
// ids, the verbose mode's internals) is not conversation and is passed
// over. The message body is never logged; after STARTTLS the conversation
// is still logged in the clear.
var (
	// postfixProcess finds "NAME/smtpd[PID]: " after the syslog or
	// journal prefix; NAME is "postfix" or an instance's syslog_name
	// ("postfix-out", "postfix/submission").
	postfixProcess = regexp.MustCompile(`(?:^|\s)(\S+)/(smtpd|smtp|lmtp)\[(\d+)\]: (.*)$`)
	// postfixAnyProcess is any Postfix program's line, to pass over.
	postfixAnyProcess = regexp.MustCompile(`(?:^|\s)\S*postfix\S*/[\w-]+\[\d+\]: `)
	postfixArrow      = regexp.MustCompile(`^([<>]) (\S+?\[[^\]]*\](?::\d+)?): ?(.*)$`)
	postfixConnect    = regexp.MustCompile(`^connect from (\S+)$`)
	postfixLost       = regexp.MustCompile(`^(lost connection|timeout) after (\S+)(?: \((\d+) bytes\))? from (\S+?\[[^\]]*\])$`)
	postfixDisconnect = regexp.MustCompile(`^disconnect from (\S+?\[[^\]]*\])(?: (.*))?$`)
	// postfixReject is smtpd's one-line record of a refusal, which it
	// logs without debug_peer_list: the command, the client and the reply.
	postfixReject = regexp.MustCompile(`^(?:NOQUEUE|[0-9A-Za-z]+): (?:reject|defer|reject_warning): (RCPT|MAIL|DATA|EHLO|HELO|VRFY|ETRN) from (\S+?\[[^\]]*\](?::\d+)?): (.*?)(?:; (from=<[^>]*>.*))?$`)
	// postfixSASLFailed is smtpd's record of a failed login; its reply is
	// always "535 5.7.8 Error: authentication failed: " and the reason.
	postfixSASLFailed = regexp.MustCompile(`^warning: (\S+?\[[^\]]*\]): SASL (\S+) authentication failed: ?(.*)$`)
	// postfixStatus is a delivery agent's record of a delivery attempt;
	// the part that matters here is the remote server's reply.
	postfixStatus = regexp.MustCompile(`^([0-9A-Za-z]+): to=<([^>]*)>,(?:.*?) status=(\w+) \(host (\S+?\[[^\]]*\](?::\d+)?) said: (.*) \(in reply to (.+?) command\)\)$`)
	// postfixConnectFail is a delivery attempt that found no server.
	postfixConnectFail = regexp.MustCompile(`^([0-9A-Za-z]+): to=<([^>]*)>,(?:.*?) status=(\w+) \(connect to (\S+): (.*)\)$`)
	// postfixQueued is the queue manager's record of a message's sender.
	postfixQueued     = regexp.MustCompile(`/qmgr\[\d+\]: ([0-9A-Za-z]+): from=<([^>]*)>`)
	postfixSyslogTime = regexp.MustCompile(`^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) `)
	postfixISOTime    = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) `)
)

// postfixLog is what the Postfix parser keeps between lines.
type postfixLog struct {
	// current maps a process and its peer ("smtpd[21280] unknown[127.0.0.1]")
	// to the key of the session they are in; a process serves one client
	// after another, so each "connect from" starts a new session.
	current map[string]string
	ended   map[string]bool // the session under that key said goodbye
	// talked holds "process host[ip]" for every peer whose conversation
	// the log shows (debug_peer_list): its one-line summaries then say
	// nothing new and are passed over.
	talked map[string]bool
	// lost holds, per session, why the client went away ("lost connection
	// after DATA"), for the disconnect line that follows.
	lost map[string]string
	// from maps a queue id to its envelope sender, from the queue
	// manager's "from=<...>" line, for the summaries of its deliveries.
	from map[string]string
	// inData: the server under that key answered DATA with 354, and the
	// message, which Postfix never logs, comes next.
	inData map[string]bool
	n      int
}

func parsePostfix(p *parser, lines lineSeq) {
	p.inferTLS = true
	pf := newPostfixLog()
	d := &dovecotLog{}
	for i, l := range lines {
		line := i + 1
		if strings.TrimSpace(l) == "" || pf.line(p, l, line) {
			continue
		}
		// Debian's mail.log holds Dovecot's lines beside Postfix's.
		if d.line(p, l, line) {
			continue
		}
		p.problem(line, l, "not a Postfix log line")
	}
}

func newPostfixLog() *postfixLog {
	return &postfixLog{current: map[string]string{}, ended: map[string]bool{}, inData: map[string]bool{},
		from: map[string]string{}, lost: map[string]string{}, talked: map[string]bool{}}
}

// line reads one line if it is a Postfix program's, and reports whether it
// was.
func (pf *postfixLog) line(p *parser, l string, line int) bool {
	m := postfixProcess.FindStringSubmatch(l)
	if m == nil {
		if !postfixAnyProcess.MatchString(l) {
			return false
		}
		if q := postfixQueued.FindStringSubmatch(l); q != nil {
			pf.from[q[1]] = q[2]
		}
		return true // another Postfix program: the queue manager, cleanup, local delivery
	}
	syslogTime(p, l, line)
	pf.process(p, m[2]+"["+m[3]+"]", m[2] == "smtpd", m[4], line)
	return true
}

// process reads what one smtpd, smtp or lmtp process logged. server tells
// smtpd (Postfix receiving) from smtp and lmtp (Postfix sending).
func (pf *postfixLog) process(p *parser, proc string, server bool, text string, line int) {
	if m := postfixConnect.FindStringSubmatch(text); m != nil && server {
		pf.start(p, proc+" "+m[1], "Postfix's smtpd: connect from "+m[1], line)
		return
	}
	if m := postfixLost.FindStringSubmatch(text); m != nil && server {
		if key, open := pf.current[proc+" "+m[4]]; open {
			why := "the client vanished after " + m[2]
			if m[1] == "timeout" {
				why = "the client said nothing for too long after " + m[2] + ", and Postfix gave up on it"
			}
			if m[3] != "" {
				why += " (" + m[3] + " bytes of it had arrived)"
			}
			if m[2] == "DATA" {
				why += "; a message cut off in the middle is not delivered"
			}
			pf.lost[key] = "Postfix: " + text + ": " + why // said at the disconnect that follows
		}
		return
	}
	if m := postfixDisconnect.FindStringSubmatch(text); m != nil && server {
		key, open := pf.current[proc+" "+m[1]]
		if !open {
			return
		}
		note := "disconnect from " + m[1]
		if why := pf.lost[key]; why != "" {
			note = why + "; " + note
			delete(pf.lost, key)
		}
		if m[2] != "" {
			note += " (Postfix's count of the commands, accepted/sent: " + m[2] + ")"
		}
		p.close(key, note, line)
		delete(pf.current, proc+" "+m[1])
		return
	}
	if server {
		if m := postfixReject.FindStringSubmatch(text); m != nil {
			pf.reject(p, proc, m, line)
			return
		}
		if m := postfixSASLFailed.FindStringSubmatch(text); m != nil && !pf.talked[proc+" "+m[1]] {
			key := pf.start(p, proc+" "+m[1]+" summary", "Postfix's smtpd refused a login from "+m[1]+": rebuilt from its warning line, which names the mechanism and the reason; Postfix's reply to a failed login is always 535 5.7.8 (the conversation itself is not in this log)", line)
			p.send(key, wire.FromClient, crlf("AUTH "+m[2]), line)
			p.send(key, wire.FromServer, crlf("535 5.7.8 Error: authentication failed: "+postfixSASLReason(m[3])), line)
			delete(pf.current, proc+" "+m[1]+" summary")
			return
		}
	} else if pf.delivery(p, proc, text, line) {
		return
	}
	m := postfixArrow.FindStringSubmatch(text)
	if m == nil {
		return // the process describing its own work
	}
	conn := proc + " " + m[2]
	key, open := pf.current[conn]
	if !open || pf.ended[key] {
		who := "Postfix's smtpd, client " + m[2]
		if !server {
			who = "Postfix's " + strings.SplitN(proc, "[", 2)[0] + " delivering to " + m[2]
		}
		key = pf.start(p, conn, who, line)
	}
	pf.talked[proc+" "+withoutPort(m[2])] = true
	fromPostfix := m[1] == ">"
	dir := wire.FromClient
	if fromPostfix == server {
		dir = wire.FromServer
	}
	if !server && fromPostfix && strings.EqualFold(m[3], "QUIT") {
		pf.ended[key] = true // the next line to this peer is a new delivery
	}
	if dir == wire.FromClient && pf.inData[key] {
		// smtp logs the "." that ends the message it does not log.
		pf.inData[key] = false
		if m[3] == "." {
			p.omit(key, wire.FromClient, line)
			return
		}
	}
	p.send(key, dir, crlf(m[3]), line)
	if dir == wire.FromServer && strings.HasPrefix(m[3], "354") {
		if server {
			p.omit(key, wire.FromClient, line) // smtpd logs neither the message nor its "."
		} else {
			pf.inData[key] = true
		}
	}
}

// reject reads smtpd's one-line record of a refusal ("NOQUEUE: reject:
// RCPT from host[ip]: 554 5.7.1 ...; from=<a> to=<b> proto=ESMTP
// helo=<h>") into the command and the reply it names, in the session of
// that client: a log without debug_peer_list holds nothing more of the
// conversation, and Postfix says which command got which reply.
func (pf *postfixLog) reject(p *parser, proc string, m []string, line int) {
	if pf.talked[proc+" "+withoutPort(m[2])] {
		return // the conversation is in the log
	}
	// A session of its own, so that no rebuilt line passes for one the
	// log showed.
	conn := proc + " " + m[2] + " summary"
	key := pf.start(p, conn, "Postfix's smtpd refused client "+m[2]+": rebuilt from its one-line summary, which names the command and quotes the reply (the conversation itself is not in this log)", line)
	p.send(key, wire.FromClient, crlf(postfixCommand(m[1], postfixField(m[4], "from"), postfixField(m[4], "to"), postfixField(m[4], "helo"))), line)
	p.send(key, wire.FromServer, crlf(m[3]), line)
	delete(pf.current, conn)
}

// delivery reads a delivery agent's record of an attempt that the remote
// server refused or that found no server, as a session of its own: Postfix
// names the command and quotes the reply. It reports whether text was one.
func (pf *postfixLog) delivery(p *parser, proc, text string, line int) bool {
	if m := postfixStatus.FindStringSubmatch(text); m != nil {
		if pf.talked[proc+" "+withoutPort(m[4])] {
			return true // the conversation is in the log
		}
		key := pf.start(p, proc+" "+m[4], fmt.Sprintf("Postfix delivering message %s to <%s> through %s, status=%s: rebuilt from its one-line summary, which names the command and quotes the reply (the conversation itself is not in this log)", m[1], m[2], m[4], m[3]), line)
		if cmd := postfixCommand(m[6], pf.from[m[1]], m[2], ""); cmd != "" {
			p.send(key, wire.FromClient, crlf(cmd), line)
		}
		p.send(key, wire.FromServer, crlf(m[5]), line)
		p.close(key, "status="+m[3], line)
		return true
	}
	if m := postfixConnectFail.FindStringSubmatch(text); m != nil {
		key := pf.start(p, proc+" "+m[4], fmt.Sprintf("Postfix delivering message %s to <%s>, status=%s", m[1], m[2], m[3]), line)
		p.close(key, "connect to "+m[4]+": "+m[5]+": no SMTP conversation took place; Postfix keeps the message and tries again later (deferred), until it gives up and bounces it", line)
		return true
	}
	return false
}

// postfixCommand rebuilds the command a summary names ("RCPT", "RCPT TO",
// "MAIL FROM", "end of DATA") from the addresses it gives; "" when the
// command carries nothing to rebuild it from.
func postfixCommand(named, from, to, helo string) string {
	switch strings.ToUpper(named) {
	case "RCPT", "RCPT TO":
		return "RCPT TO:<" + to + ">"
	case "MAIL", "MAIL FROM":
		return "MAIL FROM:<" + from + ">"
	case "EHLO", "HELO":
		return strings.ToUpper(named) + " " + helo
	case "DATA":
		return "DATA"
	}
	return "" // "end of DATA": the reply to the message itself
}

// postfixField returns name=<value> from a summary's tail.
func postfixField(tail, name string) string {
	i := strings.Index(tail, name+"=<")
	if i < 0 {
		return ""
	}
	v := tail[i+len(name)+2:]
	if j := strings.IndexByte(v, '>'); j >= 0 {
		return v[:j]
	}
	return v
}

// start opens a new session for conn and returns its key.
func (pf *postfixLog) start(p *parser, conn, note string, line int) string {
	pf.n++
	key := fmt.Sprintf("%s #%d", conn, pf.n)
	pf.current[conn] = key
	p.setProto(key, wire.SMTP)
	p.open(key, note, line)
	return key
}

// syslogTime records the timestamp a syslog line or a journal line
// starts with (Postfix's and Dovecot's logs alike).
func syslogTime(p *parser, l string, line int) {
	if m := postfixISOTime.FindStringSubmatch(l); m != nil {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700"} {
			if t, err := time.Parse(layout, m[1]); err == nil {
				p.stamp(line, l, t)
				return
			}
		}
	}
	if m := postfixSyslogTime.FindStringSubmatch(l); m != nil {
		// The syslog form has no year: take this one, as log readers do.
		if t, err := time.Parse("2006 Jan _2 15:04:05", fmt.Sprint(time.Now().Year())+" "+m[1]); err == nil {
			p.stamp(line, l, t)
		}
	}
}

// withoutPort is "host[ip]" from "host[ip]:port".
func withoutPort(peer string) string {
	if i := strings.LastIndexByte(peer, ']'); i >= 0 {
		return peer[:i+1]
	}
	return peer
}

// postfixSASLReason is the reason of a failed login as Postfix's reply
// gives it: the log adds the user name tried, which the reply does not.
// (With Dovecot's SASL the reason of a LOGIN is the last challenge in
// base64, "UGFzc3dvcmQ6", "Password:": the reply says the same.)
func postfixSASLReason(reason string) string {
	if i := strings.LastIndex(reason, ", sasl_username="); i >= 0 {
		return reason[:i]
	}
	return reason
}
