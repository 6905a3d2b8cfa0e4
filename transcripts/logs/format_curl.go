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
	curlExit      = regexp.MustCompile(`^curl: \(\d+\) `) // curl's last word when it fails
)

// curlLog is what the curl parser keeps between lines.
type curlLog struct {
	key string // the connection the lines are about now
	// conns maps curl's connection number ("#0") to the key of the
	// connection it names now: curl numbers afresh in each run, so a log
	// of two runs has two different connections called #0.
	conns   map[string]string
	opened  int               // connections seen, for fresh keys
	lastCmd map[string]string // the last command each connection sent
}

func parseCurl(p *parser, lines lineSeq) {
	c := &curlLog{key: "#0", conns: map[string]string{}, lastCmd: map[string]string{}}
	for i, raw := range lines {
		// The progress meter redraws itself with bare CRs: every piece
		// between them is a line of its own.
		for _, l := range strings.Split(raw, "\r") {
			c.line(p, l, i+1)
		}
	}
}

func (c *curlLog) line(p *parser, l string, line int) {
	if loc := curlProgress.FindStringIndex(l); loc != nil {
		l = l[loc[1]:] // what follows the meter on the same line, if anything
	}
	switch {
	case strings.TrimSpace(l) == "" || curlHeader.MatchString(l) || curlBytes.MatchString(l) || curlExit.MatchString(l):
	case strings.HasPrefix(l, "> ") || l == ">":
		text := strings.TrimPrefix(l[1:], " ")
		p.send(c.key, wire.FromClient, crlf(text), line)
		c.lastCmd[c.key] = strings.ToUpper(text)
	case strings.HasPrefix(l, "< ") || l == "<":
		text := strings.TrimPrefix(l[1:], " ")
		p.send(c.key, wire.FromServer, crlf(text), line)
		if _, _, ok := imapLiteral(text); ok {
			// curl reads the literal but does not print it.
			p.skip(c.key, wire.FromServer, line)
		}
		if strings.HasPrefix(text, "+OK") && pop3BodyToStdout(c.lastCmd[c.key]) {
			p.omit(c.key, wire.FromServer, line)
		}
		if strings.HasPrefix(text, "354") && c.lastCmd[c.key] == "DATA" {
			p.omit(c.key, wire.FromClient, line) // the upload is not in the trace
		}
	case strings.HasPrefix(l, "*"):
		c.info(p, l, line)
	default:
		p.problem(line, l, "not curl -v output (the downloaded data on stdout, perhaps)")
	}
}

// pop3BodyToStdout reports a POP3 command whose multi-line answer curl
// writes to stdout, not to its -v trace: the message of RETR and TOP, the
// listing of LIST and UIDL without an argument. The trace shows the +OK
// line only, not even the final ".".
func pop3BodyToStdout(cmd string) bool {
	verb, arg, _ := strings.Cut(cmd, " ")
	switch verb {
	case "RETR", "TOP":
		return true
	case "LIST", "UIDL":
		return strings.TrimSpace(arg) == ""
	}
	return false
}

// info reads the "*" lines that matter: which connection is in use, the
// TLS handshake, the end of a connection. The rest is curl talking to itself.
func (c *curlLog) info(p *parser, l string, line int) {
	if m := curlConnected.FindStringSubmatch(l); m != nil {
		n := m[4]
		if n == "" {
			n = "0"
		}
		// A new TCP connection, whatever its number: a second run of
		// curl in the same log numbers from #0 again.
		c.opened++
		c.key = "#" + n
		if c.opened > 1 {
			c.key = fmt.Sprintf("#%s (connection %d in the log)", n, c.opened)
		}
		c.conns["#"+n] = c.key
		p.setServer(c.key, net.JoinHostPort(m[2], m[3]))
		p.open(c.key, fmt.Sprintf("connected to %s (%s) port %s", m[1], m[2], m[3]), line)
		return
	}
	if m := curlReusing.FindStringSubmatch(l); m != nil {
		c.key = c.current("#" + m[1])
		return
	}
	if m := curlSSL.FindStringSubmatch(l); m != nil {
		p.tls(c.key, tlsNote(m[1], m[2]), line)
		return
	}
	if m := curlClosing.FindStringSubmatch(l); m != nil {
		p.close(c.current("#"+m[1]), "curl closed the connection", line)
	}
}

// current is the key of the connection curl calls n now.
func (c *curlLog) current(n string) string {
	if key, ok := c.conns[n]; ok {
		return key
	}
	return n
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
