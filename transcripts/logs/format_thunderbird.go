package logs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Thunderbird logs through MOZ_LOG (MOZ_LOG=IMAP:5,SMTP:5,POP3:5,timestamp
// MOZ_LOG_FILE=...). Every line starts with an optional timestamp, the
// process and thread, and "level/module":
//
//	2026-01-02 10:00:00.123000 UTC - [Parent 1234: IMAP]: I/IMAP 0x7f...:imap.example.com:A:SendData: 3 select "INBOX"
//	... I/IMAP 0x7f...:imap.example.com:A:CreateNewLineFromSocket: * 3 EXISTS
//	... I/IMAP 0x7f...:imap.example.com:NA:SendData: Logging suppressed for this command (it probably contained authentication information)
//	... D/SMTP SMTP Connecting to: smtp.example.com        (C++ nsSmtpProtocol, before Thunderbird 91)
//	... D/SMTP SMTP Send: EHLO [127.0.0.1]
//	... D/SMTP SMTP Response: 250-smtp.example.com
//	... D/mailnews.smtp C: EHLO [127.0.0.1]                (SmtpClient.sys.mjs, Thunderbird 91 and later)
//	... D/mailnews.smtp S: 250-smtp.example.com
//	... I/POP3 [this=0x7f...] SendData: USER bob           (C++ nsPop3Protocol)
//	... I/POP3 [this=0x7f...] RECV: +OK
//	... D/mailnews.pop3 C: USER bob                        (Pop3Client.sys.mjs)
//
// Thunderbird before 55 logged through NSPR (NSPR_LOG_MODULES=imap:5,...),
// and forum posts are full of such logs. A line starts with the thread's id
// and address and does not name its module, which the text gives away:
//
//	5788[1911140]: SMTP Send: EHLO [10.9.8.4]
//	1344[3f74b68]: 42a5818:imap.gmail.com:S-INBOX:CreateNewLineFromSocket: * 1 FETCH (UID 77 FLAGS (\Seen))
//	1344[3f74b68]: ReadNextLine [stream=266f8f8 nb=37 needmore=0]
//	1344[3f74b68]: SendData: USER bob                      (nsPop3Protocol)
//	1344[3f74b68]: RECV: +OK
//
// Each IMAP connection is its own session, named by the protocol object's
// address and the host; SMTP and POP3 sessions start at each "Connecting".
var (
	tbPrefix   = regexp.MustCompile(`^(?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC - )?(?:\[[^\]]*\]: )?[VDIWE]/(\S+) ?(.*)$`)
	tbNSPR     = regexp.MustCompile(`^(?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC - )?-?\d+\[[0-9a-fA-F]+\]: (.*)$`)
	tbPOP3NSPR = regexp.MustCompile(`^(SendData|RECV): ?(.*)$`)
	tbPOP3Old  = regexp.MustCompile(`^(?:\[this=)?(0x[0-9a-fA-F]+|[0-9a-fA-F]{8,})\]?:? (SendData|Send|Sending|RECV|Recv|Receiving): ?(.*)$`)
	tbConnect  = regexp.MustCompile(`^(?:SMTP )?Connecting to:? (\S+)`)
	// The JS clients' lines on Thunderbird's console (stdout with
	// devtools.console.stdout.chrome, or the Error Console), the message a
	// JavaScript string: console.debug: pop3.server1.1: "S: +OK ready\r\n"
	tbConsole = regexp.MustCompile(`^console\.(?:debug|log|info|warn|error): (pop3|smtp)\.\S+: (".*")$`)
)

func parseThunderbird(p *parser, lines lineSeq) {
	p.inferTLS = true // Thunderbird logs STARTTLS and its answer, not the handshake
	t := &tbState{p: p, keys: map[string]string{}, n: map[string]int{}}
	for i, l := range lines {
		t.line(i+1, l)
	}
}

type tbState struct {
	p    *parser
	keys map[string]string // current session key per module family ("smtp", "pop3")
	n    map[string]int    // sessions started per module family
	// last data line, for a message that spans several log lines (the JS
	// clients log a whole chunk of server lines in one message)
	lastKey string
	lastDir wire.Dir
	inData  bool
}

func (t *tbState) line(n int, l string) {
	if strings.TrimSpace(l) == "" {
		return // Thunderbird logs each line with its CRLF: a blank line follows
	}
	if c := tbConsole.FindStringSubmatch(l); c != nil {
		t.inData = false
		msg, err := strconv.Unquote(c[2]) // JSON-style escapes: \r\n, \", \uXXXX
		if err != nil {
			msg = strings.Trim(c[2], `"`)
		}
		proto := wire.POP3
		if c[1] == "smtp" {
			proto = wire.SMTP
		}
		// A server message holds whole lines, each with its CRLF.
		t.family(n, c[1], proto, strings.TrimSuffix(msg, "\r\n"))
		return
	}
	if strings.HasPrefix(l, "console.") {
		t.inData = false
		return // another part of Thunderbird on the console (Region.sys.mjs, ...)
	}
	m := tbPrefix.FindStringSubmatch(l)
	if m == nil {
		m = tbNSPRLine(l)
	}
	if m == nil {
		if t.inData {
			t.p.send(t.lastKey, t.lastDir, crlf(l), n)
			return
		}
		t.p.problem(n, l, "not a MOZ_LOG line")
		return
	}
	t.inData = false
	if m[1] != "" {
		ts, err := time.Parse("2006-01-02 15:04:05.999999999", m[1])
		if err == nil {
			t.p.stamp(n, l, ts)
		}
	}
	module, msg := m[2], m[3]
	switch module {
	case "IMAP":
		t.imap(n, msg)
	case "SMTP", "mailnews.smtp":
		t.family(n, "smtp", wire.SMTP, msg)
	case "POP3", "mailnews.pop3":
		if o := tbPOP3NSPR.FindStringSubmatch(msg); o != nil {
			// NSPR era: no object address, one connection at a time.
			dir := wire.FromClient
			if o[1] == "RECV" {
				dir = wire.FromServer
			}
			key := t.familyKey("pop3", wire.POP3)
			t.data(key, dir, o[2], n)
			return
		}
		if o := tbPOP3Old.FindStringSubmatch(msg); o != nil {
			key := "pop3:" + o[1]
			t.p.setProto(key, wire.POP3)
			dir := wire.FromClient
			if strings.HasPrefix(o[2], "R") {
				dir = wire.FromServer
			}
			t.data(key, dir, o[3], n)
			return
		}
		t.family(n, "pop3", wire.POP3, msg)
	}
	// Other modules (nsHttp, MsgDB, ...) and the protocols' own state
	// messages are Thunderbird talking about itself.
}

// tbNSPRLine reads an NSPR-era line into tbPrefix's groups (whole line,
// timestamp, module, message), naming the module from the text; nil when the
// line is not one, or is one about Thunderbird's own workings.
func tbNSPRLine(l string) []string {
	m := tbNSPR.FindStringSubmatch(l)
	if m == nil {
		return nil
	}
	msg := m[2]
	module := ""
	switch {
	case strings.Contains(msg, ":SendData:") || strings.Contains(msg, ":CreateNewLineFromSocket:"):
		module = "IMAP"
	case strings.HasPrefix(msg, "SMTP "):
		module = "SMTP"
	case tbPOP3NSPR.MatchString(msg):
		module = "POP3"
	}
	return []string{l, m[1], module, msg}
}

func (t *tbState) imap(n int, msg string) {
	for _, fn := range []string{":SendData:", ":CreateNewLineFromSocket:"} {
		i := strings.Index(msg, fn)
		if i < 0 {
			continue
		}
		who := msg[:i] // "0x7f...:imap.example.com:S-INBOX"
		ptr, rest, _ := strings.Cut(who, ":")
		host, _, _ := strings.Cut(rest, ":")
		key := "imap:" + ptr + ":" + host
		if _, known := t.p.protos[key]; !known {
			t.p.setProto(key, wire.IMAP)
			t.p.open(key, "IMAP connection to "+host, n)
		}
		text := strings.TrimPrefix(msg[i+len(fn):], " ")
		if fn == ":SendData:" {
			if strings.HasPrefix(text, "Logging suppressed") {
				// Thunderbird left out a command holding a credential:
				// show its note as is, without feeding the Splitter a
				// line that was never sent.
				t.p.add(record{key: key, kind: recRaw, dir: wire.FromClient, data: crlf("[" + text + "]"), line: n})
				return
			}
			t.data(key, wire.FromClient, text, n)
			return
		}
		t.data(key, wire.FromServer, text, n)
		return
	}
}

// family handles the modules that log one connection at a time: SMTP and
// POP3, old ("SMTP Send:") and new ("C: ", "S: ") wording.
func (t *tbState) family(n int, fam string, proto wire.Proto, msg string) {
	if c := tbConnect.FindStringSubmatch(msg); c != nil {
		t.n[fam]++
		key := fmt.Sprintf("%s#%d", fam, t.n[fam])
		t.keys[fam] = key
		t.p.setProto(key, proto)
		t.p.setServer(key, strings.TrimPrefix(strings.TrimPrefix(c[1], "smtp://"), "pop://"))
		t.p.open(key, "connecting to "+c[1], n)
		return
	}
	key := t.familyKey(fam, proto)
	for _, pre := range []struct {
		prefix string
		dir    wire.Dir
	}{
		{"SMTP Send: ", wire.FromClient}, {"SMTP Response: ", wire.FromServer},
		{"C: ", wire.FromClient}, {"S: ", wire.FromServer},
		{"Send: ", wire.FromClient}, {"Response: ", wire.FromServer},
	} {
		if text, ok := strings.CutPrefix(msg, pre.prefix); ok {
			if strings.HasPrefix(text, "Logging suppressed") {
				t.p.add(record{key: key, kind: recRaw, dir: pre.dir, data: crlf("[" + text + "]"), line: n})
				return
			}
			t.data(key, pre.dir, text, n)
			return
		}
	}
}

// familyKey is the session a family's lines go to: the one its last
// "Connecting" opened, or one for lines logged before any.
func (t *tbState) familyKey(fam string, proto wire.Proto) string {
	key, ok := t.keys[fam]
	if !ok {
		key = fam + "#0"
		t.keys[fam] = key
		t.p.setProto(key, proto)
	}
	return key
}

func (t *tbState) data(key string, dir wire.Dir, text string, n int) {
	t.p.send(key, dir, crlf(text), n)
	t.lastKey, t.lastDir, t.inData = key, dir, true
}
