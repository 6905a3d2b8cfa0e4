package logs

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Python's standard mail clients print their debug output to stderr. The
// shapes below are those of CPython 3.8 to 3.13 (checked against 3.11).

// smtplib, set_debuglevel(1); level 2 puts "HH:MM:SS.micro " in front:
//
//	connect: to ('127.0.0.1', 25) None
//	send: 'ehlo me\r\n'              (commands are str reprs)
//	reply: b'250-mail.example.com\r\n'
//	reply: retcode (250); Msg: b'...' (a summary of the reply: noise)
//	data: (354, b'...')              (noise)
//	send: b'Subject: x\r\n...\r\n.\r\n' (the whole DATA body in one repr)
var (
	smtplibLine    = regexp.MustCompile(`^(?:(\d\d):(\d\d):(\d\d)\.(\d{1,6}) )?(send|reply|data|connect): (.*)$`)
	smtplibConnect = regexp.MustCompile(`^(?:to )?\('([^']*)', (\d+)\)`)
)

func parseSmtplib(p *parser, lines lineSeq) {
	p.inferTLS = true // smtplib.starttls() logs the 220, not the handshake
	key, n, hasData := "", 0, false
	for i, l := range lines {
		line := i + 1
		if strings.TrimSpace(l) == "" {
			continue
		}
		m := smtplibLine.FindStringSubmatch(l)
		if m == nil {
			p.problem(line, l, "not smtplib debug output")
			continue
		}
		p.stamp(line, l, clockTime(m[1], m[2], m[3], m[4]))
		what, rest := m[5], m[6]
		switch what {
		case "connect":
			c := smtplibConnect.FindStringSubmatch(rest)
			if c == nil {
				continue // "connect: b'<greeting text>'" repeats the greeting
			}
			if key == "" || hasData {
				n++
				key, hasData = fmt.Sprintf("smtplib#%d", n), false
				p.setServer(key, net.JoinHostPort(c[1], c[2]))
				p.open(key, "connecting to "+net.JoinHostPort(c[1], c[2]), line)
			}
		case "data":
			// "data: (354, b'...')" repeats the reply to DATA.
		case "reply":
			if strings.HasPrefix(rest, "retcode ") {
				continue // the reply again, summarised
			}
			fallthrough
		case "send":
			b, tail, err := pyRepr(rest)
			if err != nil || strings.TrimSpace(tail) != "" {
				p.problem(line, l, "could not read the Python bytes literal")
				continue
			}
			d := wire.FromClient
			if what == "reply" {
				d = wire.FromServer
			}
			hasData = true
			p.send(key, d, b, line)
		}
	}
}

// clockTime makes a time of day from a log's "HH:MM:SS.frac" (the day is
// unknown). Empty fields give the zero time.
func clockTime(h, m, s, frac string) time.Time {
	if h == "" {
		return time.Time{}
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	ss, _ := strconv.Atoi(s)
	ns, _ := strconv.Atoi((frac + "000000000")[:9])
	return time.Date(0, 1, 1, hh, mm, ss, ns, time.UTC)
}

// imaplib with imaplib.Debug = 4 (or IMAP4.debug = 4):
//
//	31:26.63 imaplib version 2.58
//	31:26.63 new IMAP4 connection, tag=b'BCBK'
//	31:26.63 > b'BCBK0 CAPABILITY'      (a line the client sent, CRLF left out)
//	31:26.63 < b'* CAPABILITY IMAP4rev1' (a line the server sent)
//	31:26.82 read literal size 83       (the literal itself is not shown)
//	31:26.63 matched r'...' => (...)    (imaplib's parsing: noise)
//
// The clock shows only minutes and seconds, so it is not used.
var imaplibLine = regexp.MustCompile(`^\s+\d\d:\d\d\.\d\d (.*)$`)

func parseImaplib(p *parser, lines lineSeq) {
	p.inferTLS = true
	key, n := "", 0
	authenticating := false // the last command sent was AUTHENTICATE
	for i, l := range lines {
		line := i + 1
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "\t") {
			continue // blank, or the continuation of an "untagged responses dump"
		}
		m := imaplibLine.FindStringSubmatch(l)
		if m == nil {
			p.problem(line, l, "not imaplib debug output")
			continue
		}
		rest := m[1]
		switch {
		case strings.HasPrefix(rest, "new IMAP4 connection"):
			n++
			key = fmt.Sprintf("imaplib#%d", n)
			p.setProto(key, wire.IMAP)
			p.open(key, rest, line)
		case strings.HasPrefix(rest, "> ") || strings.HasPrefix(rest, "< "):
			b, tail, err := pyRepr(rest[2:])
			if err != nil || strings.TrimSpace(tail) != "" {
				p.problem(line, l, "could not read the Python bytes literal")
				continue
			}
			if rest[0] == '>' {
				_, verb, _ := strings.Cut(string(b), " ")
				authenticating = len(verb) >= 12 && strings.EqualFold(verb[:12], "AUTHENTICATE")
				p.send(key, wire.FromClient, append(b, '\r', '\n'), line)
				continue
			}
			p.send(key, wire.FromServer, append(b, '\r', '\n'), line)
			if _, _, ok := imapLiteral(string(b)); ok {
				p.skip(key, wire.FromServer, line) // imaplib reads the literal without printing it
			}
		case strings.HasPrefix(rest, "write literal size"):
			// The client's literal is not printed. imaplib sends a CRLF
			// after it: for APPEND that ends the command line, which the
			// log does not show either. For AUTHENTICATE the "literal" is
			// the SASL response line itself, CRLF included.
			p.skip(key, wire.FromClient, line)
			if !authenticating {
				p.send(key, wire.FromClient, []byte("\r\n"), line)
			}
		}
		// Everything else ("matched ...", "CAPABILITIES: ...", "BYE
		// response: ...") is imaplib describing what it parsed.
	}
}

// poplib, set_debuglevel(1) prints the commands ("*cmd*") and the first
// line of each reply ("*resp*"); level 2 adds the bytes written ("*put*")
// and every line read ("*get*", CRLF included), which repeat them:
//
//	*cmd* 'USER bob'
//	*put* b'USER bob'
//	*get* b'+OK\r\n'
//	*resp* b'+OK'
//	*stat* [b'+OK', b'2', b'320']     (noise)
var poplibLine = regexp.MustCompile(`^\*(cmd|put|get|resp|stat)\* (.*)$`)

func parsePoplib(p *parser, lines lineSeq) {
	p.inferTLS = true
	p.setProto("", wire.POP3)
	var pending []byte // a *cmd* line, used unless a *put* line repeats it
	pendingLine := 0
	flush := func() {
		if pending != nil {
			p.send("", wire.FromClient, pending, pendingLine)
			pending = nil
		}
	}
	level2 := false // "*get*" lines seen: "*resp*" lines are repeats
	for i, l := range lines {
		line := i + 1
		if strings.TrimSpace(l) == "" {
			continue
		}
		m := poplibLine.FindStringSubmatch(l)
		if m == nil {
			flush()
			p.problem(line, l, "not poplib debug output")
			continue
		}
		if m[1] == "stat" {
			continue
		}
		b, tail, err := pyRepr(m[2])
		if err != nil || strings.TrimSpace(tail) != "" {
			flush()
			p.problem(line, l, "could not read the Python bytes literal")
			continue
		}
		switch m[1] {
		case "cmd":
			flush()
			pending, pendingLine = append(b, '\r', '\n'), line
		case "put":
			pending = nil
			p.send("", wire.FromClient, append(b, '\r', '\n'), line)
		case "get":
			flush()
			level2 = true
			p.send("", wire.FromServer, b, line)
		case "resp":
			flush()
			if !level2 {
				p.send("", wire.FromServer, append(b, '\r', '\n'), line)
			}
		}
	}
	flush()
}
