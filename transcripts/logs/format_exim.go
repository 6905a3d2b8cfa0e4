package logs

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Exim's main log (/var/log/exim4/mainlog, exim_mainlog on cPanel hosts):
// one line per event of a message, after the date and the message id, a
// flag saying which event: "<=" arrived, "=>" delivered, "**" failed for
// good, "==" deferred (to be tried again). A failure names the remote
// server, the command and its reply:
//
//	2026-11-26 10:37:17 1xWWqr-0000dV-0O ** nosuchuser@example.com R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<nosuchuser@example.com>: 550 5.1.1 <nosuchuser@example.com>: Recipient address rejected: User unknown in local recipient table
//
// Each failed or deferred delivery becomes a short session of its own,
// rebuilt from that line: the command Exim names, and the reply it quotes.
// A failure with no SMTP reply (no server reached, an unroutable address)
// is a session whose end says Exim's reason. Arrivals and deliveries that
// went well are passed over.
var (
	eximLine    = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)(?: [+-]\d{4})? (?:\[\d+\] )?(?:([0-9A-Za-z]{6}-[0-9A-Za-z]{4,11}-[0-9A-Za-z]{2,4}) )?(.*)$`)
	eximFailure = regexp.MustCompile(`^(\*\*|==) (\S+)(?: <[^>]*>)?(.*)$`)
	eximSMTPErr = regexp.MustCompile(`H=(\S+)(?: \[([^\]]*)\])?[^:]*: SMTP error from remote mail server after (.+?): (\d{3}[ -].*)$`)
)

func parseExim(p *parser, lines lineSeq) {
	n := 0
	for i, l := range lines {
		line := i + 1
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, " ") {
			continue // blank, or the indented continuation of a warning
		}
		m := eximLine.FindStringSubmatch(l)
		if m == nil {
			p.problem(line, l, "not an Exim main log line")
			continue
		}
		if t, err := time.ParseInLocation("2006-01-02 15:04:05", m[1][:19], time.Local); err == nil {
			p.stamp(line, l, t)
		}
		f := eximFailure.FindStringSubmatch(m[3])
		if f == nil || m[2] == "" {
			continue // arrivals, deliveries, queue runs, Exim's own remarks
		}
		n++
		outcome := "failed for good (**), so Exim sends a bounce to the sender"
		if f[1] == "==" {
			outcome = "deferred (==): Exim keeps the message and tries again later"
		}
		key := fmt.Sprintf("exim %d %s", n, m[2])
		p.setProto(key, wire.SMTP)
		e := eximSMTPErr.FindStringSubmatch(f[3])
		if e == nil {
			p.open(key, fmt.Sprintf("Exim delivering message %s to <%s>: %s", m[2], f[2], outcome), line)
			reason := strings.TrimSpace(f[3])
			if i := strings.LastIndex(reason, ": "); i >= 0 {
				reason = reason[i+2:]
			}
			p.close(key, "Exim's reason: "+reason+" (no SMTP reply was involved)", line)
			continue
		}
		server := e[1]
		if e[2] != "" {
			server += " [" + e[2] + "]"
		}
		p.open(key, fmt.Sprintf("Exim delivering message %s to <%s> through %s: %s; rebuilt from its one-line summary, which names the command and quotes the reply (the conversation itself is not in this log)", m[2], f[2], server, outcome), line)
		if cmd := eximCommand(e[3]); cmd != "" {
			p.send(key, wire.FromClient, crlf(cmd), line)
		}
		p.send(key, wire.FromServer, crlf(e[4]), line)
	}
}

// eximCommand is the command an Exim summary names after "after"
// ("RCPT TO:<x>", "pipelined RCPT TO:<x>", "MAIL FROM:<a> SIZE=9"), or ""
// for "end of data" and the connection's greeting, which answer no line.
func eximCommand(after string) string {
	after = strings.TrimPrefix(after, "pipelined ")
	switch {
	case strings.HasPrefix(after, "RCPT TO:"), strings.HasPrefix(after, "MAIL FROM:"), strings.HasPrefix(after, "EHLO "), strings.HasPrefix(after, "HELO "):
		return after
	case after == "DATA":
		return after
	}
	return ""
}
