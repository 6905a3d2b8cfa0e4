package logs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// A bounce: the delivery status notification a mail server sends back
// when it could not deliver (RFC 3464), saved from the mail program as a
// file. Whatever its human text says, it carries a machine-readable part,
// "Content-Type: message/delivery-status", with a block per recipient:
//
//	Final-Recipient: rfc822; nosuchuser@example.com
//	Action: failed
//	Status: 5.1.1
//	Remote-MTA: dns; 127.0.0.1
//	Diagnostic-Code: smtp; 550 5.1.1 <nosuchuser@example.com>: Recipient address
//	    rejected: User unknown in local recipient table
//
// Each recipient becomes a session of its own: the remote server's reply,
// from Diagnostic-Code, is explained as the reply it was; a report without
// one (a server that never answered) says what the Status says. Postfix,
// Exchange, Gmail and Exim all write this part. The rest of the message
// (headers, the human text, the returned message) is not read.
var (
	dsnPart  = regexp.MustCompile(`(?i)^Content-Type:\s*message/(global-)?delivery-status`)
	dsnField = regexp.MustCompile(`^([A-Za-z-]+):\s*(.*)$`)
)

func parseDSN(p *parser, lines []string) {
	in := false // inside the delivery-status part
	var block []string
	reporting := ""
	n := 0
	flush := func(line int) {
		f := dsnFields(block)
		block = nil
		if f["reporting-mta"] != "" {
			reporting = dsnValue(f["reporting-mta"])
		}
		rcpt := dsnValue(f["final-recipient"])
		if rcpt == "" {
			return // the block about the message, not a recipient
		}
		n++
		key := fmt.Sprintf("dsn %d %s", n, rcpt)
		p.setProto(key, wire.SMTP)
		who := "the reporting server"
		if reporting != "" {
			who = reporting
		}
		note := fmt.Sprintf("bounce: %s reports on <%s>: Action %s, Status %s", who, rcpt, f["action"], f["status"])
		if mta := dsnValue(f["remote-mta"]); mta != "" {
			note += ", after talking to " + mta
		}
		p.open(key, note+": rebuilt from the bounce's delivery-status part (RFC 3464), which quotes the remote server's reply but not the conversation", line)
		diag := f["diagnostic-code"]
		kind, text, _ := strings.Cut(diag, ";")
		if strings.EqualFold(strings.TrimSpace(kind), "smtp") && len(strings.TrimSpace(text)) >= 3 {
			for _, l := range dsnReplyLines(strings.TrimSpace(text)) {
				p.send(key, wire.FromServer, crlf(l), line)
			}
			return
		}
		why := "no reply was quoted"
		if diag != "" {
			why = "the reporting server's own words: " + strings.TrimSpace(text)
		}
		p.close(key, why+" ("+dsnActionMeaning(f["action"])+")", line)
	}
	for i, l := range lines {
		line := i + 1
		switch {
		case dsnPart.MatchString(l):
			in, block = true, nil
		case !in:
		case strings.HasPrefix(l, "--"):
			flush(line) // the MIME boundary ends the part
			in = false
		case strings.TrimSpace(l) == "":
			flush(line)
		default:
			block = append(block, l)
		}
	}
	if in {
		flush(len(lines))
	}
	if n == 0 {
		p.problem(1, "", "no delivery-status part with a Final-Recipient in this message (RFC 3464): is it a bounce?")
	}
}

// dsnFields reads a block's "Name: value" fields, folded lines unfolded,
// names in lower case.
func dsnFields(block []string) map[string]string {
	f := map[string]string{}
	last := ""
	for _, l := range block {
		if (l[0] == ' ' || l[0] == '\t') && last != "" {
			f[last] += " " + strings.TrimSpace(l)
			continue
		}
		if m := dsnField.FindStringSubmatch(l); m != nil {
			last = strings.ToLower(m[1])
			f[last] = strings.TrimSpace(m[2])
		}
	}
	return f
}

// dsnValue drops the type before ";" ("rfc822; a@b", "dns; mx.example.net").
func dsnValue(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(after)
	}
	return strings.TrimSpace(v)
}

// dsnReplyLines splits a multi-line reply that a report folded into one
// ("550-5.1.1 The email account ... 550-5.1.1 double-checking ... 550 5.1.1
// unnecessary spaces.") back into its lines.
func dsnReplyLines(text string) []string {
	if len(text) < 4 || text[3] != '-' {
		return []string{text}
	}
	code := text[:3]
	var out []string
	rest := text
	for {
		next := -1
		for _, sep := range []string{" " + code + "-", " " + code + " "} {
			if i := strings.Index(rest[4:], sep); i >= 0 && (next < 0 || i+4 < next) {
				next = i + 4
			}
		}
		if next < 0 {
			return append(out, rest)
		}
		out = append(out, rest[:next])
		rest = rest[next+1:]
	}
}

// dsnActionMeaning says what a report's Action means for the sender.
func dsnActionMeaning(action string) string {
	switch strings.ToLower(action) {
	case "failed":
		return "failed: the message was not delivered and will not be retried"
	case "delayed":
		return "delayed: not delivered yet; the server keeps trying and will report again if it gives up"
	case "delivered":
		return "delivered"
	case "relayed":
		return "relayed to a server that sends no reports"
	case "expanded":
		return "delivered to a list or alias, which passed it on"
	}
	return "Action " + action
}
