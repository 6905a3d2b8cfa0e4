package logs

import (
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// curl -v (curl 7.88 and 8.x) writes to stderr:
//
//	"> EHLO x"    what curl sent
//	"< 250 ok"    what the server sent
//	"* ..."       curl's own information (connecting, TLS, certificate)
//	"} [5 bytes data]" / "{ [...]"  TLS record sizes: noise
//
// and, when stderr is a file, the progress meter, which may share a line
// with the first "*" line. The message body (SMTP upload, POP3 RETR and IMAP
// literal contents) is never shown.
var (
	curlProgress  = regexp.MustCompile(`^\s*\d+\s+[\d.]+[kMGTP]?\s+\d+\s+[\d.]+[kMGTP]?\s+\d+\s+[\d.]+[kMGTP]?\s+[\d.]+[kMGTP]?\s+[\d.]+[kMGTP]?\s+(--:--:--|\d+:\d\d:\d\d)\s+(--:--:--|\d+:\d\d:\d\d)\s+(--:--:--|\d+:\d\d:\d\d)\s+[\d.]+[kMGTP]?`)
	curlHeader    = regexp.MustCompile(`^\s*(% Total\s+% Received|Dload\s+Upload)`)
	curlBytes     = regexp.MustCompile(`^[{}] \[\d+ bytes data\]$`)
	curlConnected = regexp.MustCompile(`^\* Connected to (\S+) \(([^)]*)\) port (\d+)(?: \(#(\d+)\))?`)
	curlReusing   = regexp.MustCompile(`^\* Re-using existing connection #?(\d+)`)
	curlSSL       = regexp.MustCompile(`^\* SSL connection using (\S+) / ([A-Za-z0-9_-]+)`)
	curlClosing   = regexp.MustCompile(`^\* Closing connection #?(\d+)`)
)

func parseCurl(p *parser, lines []string) {
	key := "#0"
	for i, raw := range lines {
		// The progress meter redraws itself with bare CRs: every piece
		// between them is a line of its own.
		for _, l := range strings.Split(raw, "\r") {
			parseCurlLine(p, &key, l, i+1)
		}
	}
}

func parseCurlLine(p *parser, key *string, l string, line int) {
	if loc := curlProgress.FindStringIndex(l); loc != nil {
		l = l[loc[1]:] // what follows the meter on the same line, if anything
	}
	switch {
	case strings.TrimSpace(l) == "" || curlHeader.MatchString(l) || curlBytes.MatchString(l):
	case strings.HasPrefix(l, "> ") || l == ">":
		p.send(*key, wire.FromClient, crlf(strings.TrimPrefix(l[1:], " ")), line)
	case strings.HasPrefix(l, "< ") || l == "<":
		text := strings.TrimPrefix(l[1:], " ")
		p.send(*key, wire.FromServer, crlf(text), line)
		if _, _, ok := imapLiteral(text); ok {
			// curl reads the literal but does not print it.
			p.skip(*key, wire.FromServer, line)
		}
	case strings.HasPrefix(l, "*"):
		curlInfo(p, key, l, line)
	default:
		p.problem(line, l, "not curl -v output (the downloaded data on stdout, perhaps)")
	}
}

// curlInfo reads the "*" lines that matter: which connection is in use, the
// TLS handshake, the end of a connection. The rest is curl talking to itself.
func curlInfo(p *parser, key *string, l string, line int) {
	if m := curlConnected.FindStringSubmatch(l); m != nil {
		n := m[4]
		if n == "" {
			n = "0"
		}
		*key = "#" + n
		p.setServer(*key, net.JoinHostPort(m[2], m[3]))
		p.open(*key, fmt.Sprintf("connected to %s (%s) port %s", m[1], m[2], m[3]), line)
		return
	}
	if m := curlReusing.FindStringSubmatch(l); m != nil {
		*key = "#" + m[1]
		return
	}
	if m := curlSSL.FindStringSubmatch(l); m != nil {
		p.tls(*key, tlsNote(m[1], m[2]), line)
		return
	}
	if m := curlClosing.FindStringSubmatch(l); m != nil {
		p.close("#"+m[1], "curl closed the connection", line)
	}
}

// imapLiteral reports a trailing "{N}" (or "{N+}") literal marker.
func imapLiteral(text string) (n int, sync bool, ok bool) {
	if !strings.HasSuffix(text, "}") {
		return 0, false, false
	}
	open := strings.LastIndexByte(text, '{')
	if open < 0 {
		return 0, false, false
	}
	inner := text[open+1 : len(text)-1]
	sync = !strings.HasSuffix(inner, "+") && !strings.HasSuffix(inner, "-")
	inner = strings.TrimRight(inner, "+-")
	if inner == "" || len(inner) > 12 {
		return 0, false, false
	}
	for _, c := range inner {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		n = n*10 + int(c-'0')
	}
	return n, sync, true
}
