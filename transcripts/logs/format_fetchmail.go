package logs

import (
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// fetchmail's verbose output (fetchmail -v):
//
//	Trying to connect to 127.0.0.1/110...connected.
//	fetchmail: POP3< +OK ready            what the mail server sent
//	fetchmail: POP3> USER alice           what fetchmail sent (PASS shown as "*")
//	fetchmail: SSL/TLS: using protocol TLSv1.3, cipher TLS_AES_128_GCM_SHA256, ...
//	fetchmail: SMTP< 220 ...              the local MTA fetchmail hands mail to
//
// fetchmail never logs the messages it downloads: after RETR's "+OK" (and
// an IMAP literal's announcement) the next line it shows is the one after.
var (
	fetchmailLine    = regexp.MustCompile(`^fetchmail: (POP3|IMAP|SMTP|ESMTP|LMTP)([<>]) ?(.*)$`)
	fetchmailConnect = regexp.MustCompile(`^Trying to connect to (\S+)/(\d+)\.\.\.`)
	fetchmailTLS     = regexp.MustCompile(`^fetchmail: SSL/TLS: using protocol (\S+), cipher ([^,]+)`)
)

func parseFetchmail(p *parser, lines lineSeq) {
	server := ""  // from "Trying to connect to host/port..."
	mailKey := "" // the mail server's connection, for the TLS line
	lastCmd := map[string]string{}
	lits := omittedLiterals{}
	for i, l := range lines {
		line := i + 1
		if m := fetchmailConnect.FindStringSubmatch(l); m != nil {
			server = m[1] + ":" + m[2]
			continue
		}
		if m := fetchmailTLS.FindStringSubmatch(l); m != nil {
			if mailKey != "" {
				p.tls(mailKey, tlsNote(m[1], m[2]), line)
			}
			continue
		}
		if j := strings.Index(l, "fetchmail: "); j > 0 {
			// The line after an IMAP literal follows fetchmail's progress
			// text on the same line: "reading message ... (591 header
			// octets)fetchmail: IMAP< )".
			l = l[j:]
		}
		m := fetchmailLine.FindStringSubmatch(l)
		if m == nil {
			continue // fetchmail talking about itself: certificates, progress, warnings
		}
		proto, dir, text := m[1], m[2], m[3]
		key, wproto := "fetchmail-"+strings.ToLower(proto), wire.POP3
		switch proto {
		case "IMAP":
			wproto = wire.IMAP
		case "SMTP", "ESMTP", "LMTP":
			key, wproto = "fetchmail-smtp", wire.SMTP
		}
		if wproto == wire.SMTP {
			p.connect(key, wproto, "", "fetchmail hands the mail to the local mail server", line)
		} else {
			mailKey = key
			p.connect(key, wproto, server, "fetchmail connects", line)
		}
		if dir == ">" {
			p.send(key, wire.FromClient, crlf(text), line)
			verb, _, _ := strings.Cut(text, " ")
			lastCmd[key] = strings.ToUpper(verb)
			continue
		}
		lits.serverLine(p, key, text, line)
		if wproto == wire.POP3 && strings.HasPrefix(text, "+OK") && (lastCmd[key] == "RETR" || lastCmd[key] == "TOP") {
			p.omit(key, wire.FromServer, line)
		}
	}
}
