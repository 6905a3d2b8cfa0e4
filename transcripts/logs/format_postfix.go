package logs

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Postfix, the mail server's own log (/var/log/mail.log, or journalctl -u
// postfix), with the conversation in it: for a client listed in
// debug_peer_list (or with smtpd -v) each line a Postfix process sends or
// receives is logged with an arrow, ">" for what Postfix sent and "<" for
// what it received:
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
// over. The message body is never logged; STARTTLS is followed by the
// encrypted conversation, still logged in the clear.
var (
	// postfixProcess finds "NAME/smtpd[PID]: " after the syslog or
	// journal prefix; NAME is "postfix" or an instance's syslog_name
	// ("postfix-out", "postfix/submission").
	postfixProcess = regexp.MustCompile(`(?:^|\s)(\S+)/(smtpd|smtp|lmtp)\[(\d+)\]: (.*)$`)
	// postfixAnyProcess is any Postfix program's line, to pass over.
	postfixAnyProcess = regexp.MustCompile(`(?:^|\s)\S*postfix\S*/[\w-]+\[\d+\]: `)
	postfixArrow      = regexp.MustCompile(`^([<>]) (\S+?\[[^\]]*\](?::\d+)?): ?(.*)$`)
	postfixConnect    = regexp.MustCompile(`^connect from (\S+)$`)
	postfixDisconnect = regexp.MustCompile(`^disconnect from (\S+?\[[^\]]*\])(?: (.*))?$`)
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
	// inData: the server under that key answered DATA with 354, and the
	// message, which Postfix never logs, comes next.
	inData map[string]bool
	n      int
}

func parsePostfix(p *parser, lines []string) {
	p.inferTLS = true
	pf := &postfixLog{current: map[string]string{}, ended: map[string]bool{}, inData: map[string]bool{}}
	for i, l := range lines {
		line := i + 1
		if strings.TrimSpace(l) == "" {
			continue
		}
		m := postfixProcess.FindStringSubmatch(l)
		if m == nil {
			if !postfixAnyProcess.MatchString(l) {
				p.problem(line, l, "not a Postfix log line")
			}
			continue // another Postfix program: the queue manager, cleanup, local delivery
		}
		postfixTime(p, l, line)
		pf.line(p, m[2]+"["+m[3]+"]", m[2] == "smtpd", m[4], line)
	}
}

// line reads what one smtpd, smtp or lmtp process logged. server tells
// smtpd (Postfix receiving) from smtp and lmtp (Postfix sending).
func (pf *postfixLog) line(p *parser, proc string, server bool, text string, line int) {
	if m := postfixConnect.FindStringSubmatch(text); m != nil && server {
		pf.start(p, proc+" "+m[1], "Postfix's smtpd: connect from "+m[1], line)
		return
	}
	if m := postfixDisconnect.FindStringSubmatch(text); m != nil && server {
		key, open := pf.current[proc+" "+m[1]]
		if !open {
			return
		}
		note := "disconnect from " + m[1]
		if m[2] != "" {
			note += " (Postfix's count of the commands, accepted/sent: " + m[2] + ")"
		}
		p.close(key, note, line)
		delete(pf.current, proc+" "+m[1])
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

// start opens a new session for conn and returns its key.
func (pf *postfixLog) start(p *parser, conn, note string, line int) string {
	pf.n++
	key := fmt.Sprintf("%s #%d", conn, pf.n)
	pf.current[conn] = key
	p.setProto(key, wire.SMTP)
	p.open(key, note, line)
	return key
}

// postfixTime records the line's timestamp: the syslog form has no year,
// which only matters for ordering within the log.
func postfixTime(p *parser, l string, line int) {
	if m := postfixISOTime.FindStringSubmatch(l); m != nil {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700"} {
			if t, err := time.Parse(layout, m[1]); err == nil {
				p.stamp(line, l, t)
				return
			}
		}
	}
	if m := postfixSyslogTime.FindStringSubmatch(l); m != nil {
		if t, err := time.Parse("Jan _2 15:04:05", m[1]); err == nil {
			p.stamp(line, l, t)
		}
	}
}
