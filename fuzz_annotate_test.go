package main

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/logs"
)

// Fuzz targets for `mailtutor annotate`, one per reader (every log format
// and a message's headers), and one for transcript loading (fuzz_load_test.go).
// Each runs the real command on the input and holds its output to two
// promises of issue 15:
//
//   - no control character but newline and tab reaches the terminal: no
//     ESC, BEL, C1 (byte or character), bidi control, invalid UTF-8;
//   - no secret of an AUTH exchange reaches the output (see secretsOf).
//
// The seeds under testdata/fuzz/FuzzAnnotate*/ carry the attacks (OSC 52,
// OSC 0, CSI 2J, BEL, U+202E, C1 0x9b and U+009B) and AUTH exchanges of
// every kind (PLAIN, LOGIN with and without an initial response, IMAP LOGIN
// and AUTHENTICATE, POP3 PASS, APOP and AUTH) with passwords "Sw0rdfish-N",
// written in each format by TestWriteAnnotateFuzzSeeds (-write-seeds). The
// sample logs of transcripts/logs/testdata are seeds too. Without -fuzz,
// `go test` runs the seeds.

var writeSeeds = flag.Bool("write-seeds", false, "rewrite the attack seeds under testdata/fuzz/FuzzAnnotate*")

// annotateOutput runs `mailtutor annotate --format format` on data and
// returns what it printed; ok is false when the command refused the input.
func annotateOutput(data []byte, format string) (string, bool) {
	cmd := newAnnotateCmd()
	var out bytes.Buffer
	cmd.SetIn(bytes.NewReader(data))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"--format", format})
	if err := cmd.Execute(); err != nil {
		return "", false
	}
	return out.String(), true
}

// checkTerminalSafe fails when out holds anything wire.VisibleLines would
// escape: a control but newline and tab, DEL, C1, a bidi control, invalid
// UTF-8. The assertion does not trust the escaper: it lists the bytes.
func checkTerminalSafe(t *testing.T, in []byte, out string) {
	t.Helper()
	for i, r := range out {
		bad := r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 ||
			r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 ||
			r == 0xfffd && !strings.HasPrefix(out[i:], "\ufffd")
		if bad {
			t.Fatalf("raw %U at byte %d of the output for input %q:\n%q", r, i, in, out[max(0, i-80):min(len(out), i+80)])
		}
	}
}

// The passwords of the seeds: "Sw0rdfish-" and a number.
var secretMarker = regexp.MustCompile(`Sw0rdfish-[0-9]+`)

// credentialShapes find a credential in a log line whatever its format's
// prefix: POP3 PASS, IMAP LOGIN (atom or quoted), APOP's digest.
var credentialShapes = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\bPASS (Sw0rdfish-[0-9]+)`),
	regexp.MustCompile(`(?i)\bLOGIN [^ ]+ "?(Sw0rdfish-[0-9]+)`),
	regexp.MustCompile(`(?i)\bAPOP [^ ]+ ([0-9a-f]{32})\b`),
}

var base64Token = regexp.MustCompile(`[A-Za-z0-9+/]{8,}={0,2}`)

// secretsOf lists the secrets of AUTH exchanges in a log, found without
// the readers' help: passwords in a credential shape, base64 SASL responses
// whose decoding holds a seed password, and the passwords they decode to.
// A password that also appears elsewhere in the input, outside every
// credential (a fuzzed input may move it into a Subject), is not a secret
// of the log: it may be shown there.
func secretsOf(in []byte) []string {
	text := string(in)
	var secrets []string
	inShape := map[string]int{}
	for _, re := range credentialShapes {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			secrets = append(secrets, m[1])
			inShape[m[1]]++
		}
	}
	for _, tok := range base64Token.FindAllString(text, -1) {
		b, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			continue
		}
		for _, pw := range secretMarker.FindAllString(string(b), -1) {
			secrets = append(secrets, tok, pw)
		}
	}
	var kept []string
	for _, s := range secrets {
		if secretMarker.MatchString(s) && strings.Count(text, s) > inShape[s] {
			continue // also written in plain outside a PASS or LOGIN
		}
		kept = append(kept, s)
	}
	return kept
}

// checkNoSecrets fails when a secret of the input's AUTH exchanges is in
// the output, as it was or decoded.
func checkNoSecrets(t *testing.T, in []byte, out string) {
	t.Helper()
	for _, s := range secretsOf(in) {
		if strings.Contains(out, s) {
			i := strings.Index(out, s)
			t.Fatalf("secret %q reached the output for input %q:\n%s", s, in, out[max(0, i-200):min(len(out), i+100)])
		}
	}
}

// fuzzAnnotate is the body of every annotate fuzz target.
func fuzzAnnotate(f *testing.F, format string) {
	// The sample logs of the format's reader are seeds too.
	prefix := format + "_"
	if format == "bounce" {
		prefix = "postfix_bounce"
	}
	samples, _ := filepath.Glob(filepath.Join("transcripts", "logs", "testdata", prefix+"*.log"))
	for _, name := range samples {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return // the readers' size limit is tested in package logs
		}
		out, ok := annotateOutput(data, format)
		if !ok {
			return
		}
		checkTerminalSafe(t, data, out)
		checkNoSecrets(t, data, out)
	})
}

func FuzzAnnotateCS(f *testing.F)          { fuzzAnnotate(f, "cs") }
func FuzzAnnotateSwaks(f *testing.F)       { fuzzAnnotate(f, "swaks") }
func FuzzAnnotateCurl(f *testing.F)        { fuzzAnnotate(f, "curl") }
func FuzzAnnotateOpenSSL(f *testing.F)     { fuzzAnnotate(f, "openssl") }
func FuzzAnnotateSmtplib(f *testing.F)     { fuzzAnnotate(f, "smtplib") }
func FuzzAnnotateImaplib(f *testing.F)     { fuzzAnnotate(f, "imaplib") }
func FuzzAnnotatePoplib(f *testing.F)      { fuzzAnnotate(f, "poplib") }
func FuzzAnnotateThunderbird(f *testing.F) { fuzzAnnotate(f, "thunderbird") }
func FuzzAnnotateMsmtp(f *testing.F)       { fuzzAnnotate(f, "msmtp") }
func FuzzAnnotateMbsync(f *testing.F)      { fuzzAnnotate(f, "mbsync") }
func FuzzAnnotateFetchmail(f *testing.F)   { fuzzAnnotate(f, "fetchmail") }
func FuzzAnnotatePostfix(f *testing.F)     { fuzzAnnotate(f, "postfix") }
func FuzzAnnotateExchange(f *testing.F)    { fuzzAnnotate(f, "exchange") }
func FuzzAnnotateDovecot(f *testing.F)     { fuzzAnnotate(f, "dovecot") }
func FuzzAnnotateBounce(f *testing.F)      { fuzzAnnotate(f, "bounce") }
func FuzzAnnotateExim(f *testing.F)        { fuzzAnnotate(f, "exim") }
func FuzzAnnotateArrows(f *testing.F)      { fuzzAnnotate(f, "arrows") }
func FuzzAnnotateMessage(f *testing.F)     { fuzzAnnotate(f, "message") }

// Every reader has its fuzz target: a format added to package logs without
// one fails here.
func TestEveryAnnotateReaderIsFuzzed(t *testing.T) {
	src, err := os.ReadFile("fuzz_annotate_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range append(logs.Formats(), "message") {
		if !bytes.Contains(src, []byte(`fuzzAnnotate(f, "`+string(format)+`")`)) {
			t.Errorf("no fuzz target for the %s reader", format)
		}
	}
}

// The attacks every seed carries.
const (
	seedOSC52 = "\x1b]52;c;cHduZWQ=\x07"
	seedOSC0  = "\x1b]0;PWNED\x07"
	seedCSI   = "\x1b[2J"
	seedRLO   = "\u202e"
	seedC1    = "\x9b2J"
	seedC1R   = "\u009b2J"
)

// step is one line of a seed dialogue: the client's (C) or the server's (S).
type step struct {
	dir  byte
	line string
}

// seedDialogues are the AUTH exchanges and attacks per protocol.
func seedDialogues() map[wire.Proto][]step {
	return map[wire.Proto][]step{
		wire.SMTP: {
			{'S', "220 mx.example.org ESMTP " + seedOSC52},
			{'C', "EHLO laptop" + seedCSI},
			{'S', "250-mx.example.org \a"},
			{'S', "250 AUTH PLAIN LOGIN"},
			{'C', "AUTH PLAIN " + b64("\x00alice\x00Sw0rdfish-1")},
			{'S', "535 5.7.8 no " + seedRLO},
			{'C', "AUTH LOGIN"},
			{'S', "334 VXNlcm5hbWU6"},
			{'C', b64("alice")},
			{'S', "334 UGFzc3dvcmQ6"},
			{'C', b64("Sw0rdfish-2")},
			{'S', "535 5.7.8 no"},
			{'C', "AUTH LOGIN " + b64("alice")},
			{'S', "334 UGFzc3dvcmQ6"},
			{'C', b64("Sw0rdfish-3")},
			{'S', "235 2.7.0 ok " + seedC1},
			{'C', "MAIL FROM:<pay" + seedRLO + "gpj.exe@example.net>"},
			{'S', "250 2.1.0 Ok" + seedC1R},
			{'C', "RCPT TO:<bob@example.org>"},
			{'S', "250 2.1.5 Ok"},
			{'C', "DATA"},
			{'S', "354 go ahead"},
			{'C', "Subject: hi" + seedOSC0},
			{'C', "From: boss" + seedRLO + "@example.com"},
			{'C', ""},
			{'C', "body" + seedCSI},
			{'C', "."},
			{'S', "250 2.0.0 queued " + seedOSC0},
			{'C', "QUIT"},
			{'S', "221 2.0.0 bye"},
		},
		wire.IMAP: {
			{'S', "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready " + seedOSC52},
			{'C', "a1 CAPABILITY" + seedCSI},
			{'S', "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN"},
			{'S', "a1 OK done \a"},
			{'C', "a2 LOGIN alice Sw0rdfish-4"},
			{'S', "a2 NO [AUTHENTICATIONFAILED] no " + seedRLO},
			{'C', `a3 LOGIN "alice" "Sw0rdfish-5"`},
			{'S', "a3 NO [AUTHENTICATIONFAILED] no"},
			{'C', "a4 AUTHENTICATE PLAIN"},
			{'S', "+ "},
			{'C', b64("\x00alice\x00Sw0rdfish-6")},
			{'S', "a4 NO no"},
			{'C', "a5 AUTHENTICATE PLAIN " + b64("\x00alice\x00Sw0rdfish-7")},
			{'S', "a5 OK logged in " + seedC1},
			{'C', "a6 SELECT INBOX" + seedRLO},
			{'S', "* 1 EXISTS"},
			{'S', "a6 OK [READ-WRITE] done" + seedC1R},
			{'C', "a7 LOGOUT"},
			{'S', "* BYE " + seedOSC0},
			{'S', "a7 OK bye"},
		},
		wire.POP3: {
			{'S', "+OK ready <1795680775.1@mail.example.com> " + seedOSC52},
			{'C', "USER alice" + seedCSI},
			{'S', "+OK \a"},
			{'C', "PASS Sw0rdfish-8"},
			{'S', "-ERR [AUTH] no " + seedRLO},
			{'C', "APOP alice c4c9334bac560ecc979e58001b3e22fb"},
			{'S', "-ERR [AUTH] no"},
			{'C', "AUTH PLAIN " + b64("\x00alice\x00Sw0rdfish-9")},
			{'S', "-ERR [AUTH] no"},
			{'C', "AUTH LOGIN"},
			{'S', "+ VXNlcm5hbWU6"},
			{'C', b64("alice")},
			{'S', "+ UGFzc3dvcmQ6"},
			{'C', b64("Sw0rdfish-10")},
			{'S', "+OK logged in " + seedC1},
			{'C', "STAT"},
			{'S', "+OK 1 10" + seedC1R},
			{'C', "QUIT"},
			{'S', "+OK bye " + seedOSC0},
		},
	}
}

// pyBytes writes s as Python writes a bytes value: b'...'.
func pyBytes(s string) string {
	var b strings.Builder
	b.WriteString("b'")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == '\'':
			b.WriteString(`\` + string(c))
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteString("'")
	return b.String()
}

// pyStr writes s as Python writes a str value: '...'.
func pyStr(s string) string {
	q := strconv.QuoteToASCII(s) // "\x1b", "\u202e": Python writes them the same
	q = strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
	return "'" + strings.ReplaceAll(q, "'", `\'`) + "'"
}

// renderSeed writes a dialogue in a format; "" when the format does not
// carry proto.
func renderSeed(format string, proto wire.Proto, d []step) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	each := func(client, server func(string) string) {
		for _, s := range d {
			if s.dir == 'C' {
				line(client(s.line))
			} else {
				line(server(s.line))
			}
		}
	}
	with := func(p string) func(string) string { return func(s string) string { return p + s } }
	up := strings.ToUpper(string(proto))
	switch format {
	case "cs":
		each(with("C: "), with("S: "))
	case "curl", "arrows":
		each(with("> "), with("< "))
	case "openssl":
		line("CONNECTED(00000003)")
		line("---")
		line("Verify return code: 18 (self-signed certificate)")
		line("---")
		each(with(""), with(""))
		line("DONE")
	case "swaks":
		if proto != wire.SMTP {
			return ""
		}
		line("=== Connected to 127.0.0.1.")
		each(with(" -> "), with("<-  "))
	case "msmtp":
		if proto != wire.SMTP {
			return ""
		}
		each(with("--> "), with("<-- "))
	case "smtplib":
		if proto != wire.SMTP {
			return ""
		}
		line("21:31:20.672715 connect: to ('127.0.0.1', 2525) None")
		each(func(s string) string { return "21:31:20.673629 send: " + pyStr(s+"\r\n") },
			func(s string) string { return "21:31:20.673809 reply: " + pyBytes(s+"\r\n") })
	case "imaplib":
		if proto != wire.IMAP {
			return ""
		}
		line("  31:26.63 imaplib version 2.58")
		line("  31:26.63 new IMAP4 connection, tag=b'BCBK'")
		each(func(s string) string { return "  31:26.63 > " + pyBytes(s) }, func(s string) string { return "  31:26.63 < " + pyBytes(s) })
	case "poplib":
		if proto != wire.POP3 {
			return ""
		}
		each(func(s string) string { return "*put* " + pyBytes(s) }, func(s string) string { return "*get* " + pyBytes(s+"\r\n") })
	case "thunderbird":
		switch proto {
		case wire.IMAP:
			pre := "2026-01-02 10:00:00.100000 UTC - [Parent 4242: IMAP]: I/IMAP 0x7f3a1c0b2800:imap.example.com:NA:"
			each(with(pre+"SendData: "), with(pre+"CreateNewLineFromSocket: "))
		case wire.SMTP:
			pre := "2026-01-02 10:00:01.020000 UTC - [Parent 4242: Main Thread]: D/SMTP SMTP "
			each(with(pre+"Send: "), with(pre+"Response: "))
		case wire.POP3:
			js := func(p string) func(string) string {
				return func(s string) string { return `console.debug: pop3.server1.1: ` + strconv.QuoteToASCII(p+s) }
			}
			each(js("C: "), js("S: "))
		}
	case "mbsync":
		if proto != wire.IMAP {
			return ""
		}
		each(with("F: >>> "), with("F: "))
	case "fetchmail":
		if proto == wire.SMTP {
			return ""
		}
		each(with("fetchmail: "+up+"> "), with("fetchmail: "+up+"< "))
	case "postfix":
		if proto != wire.SMTP {
			return ""
		}
		pre := "Nov 26 09:35:40 mx postfix/smtpd[21280]: "
		line(pre + "connect from unknown[127.0.0.1]")
		each(with(pre+"< unknown[127.0.0.1]: "), with(pre+"> unknown[127.0.0.1]: "))
		line(pre + "disconnect from unknown[127.0.0.1]" + seedOSC0)
	case "exchange":
		if proto != wire.SMTP {
			return ""
		}
		line("#Software: Microsoft Exchange Server")
		line("#Log-type: SMTP Receive Protocol Log")
		line("#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context")
		n := 0
		row := func(ev string) func(string) string {
			return func(s string) string {
				n++
				return fmt.Sprintf("2026-11-25T08:00:02.117Z,EX01\\Default Frontend EX01,08DE0C1F2A3B4C5D,%d,10.0.0.5:25,203.0.113.9:53412,%s,%q,", n, ev, s)
			}
		}
		line(row("+")(""))
		each(row("<"), row(">"))
	case "dovecot":
		if proto == wire.SMTP {
			return ""
		}
		p := string(proto)
		line("Nov 26 10:28:46 " + p + "-login: Info: Login: user=<alice" + seedOSC52 + seedRLO + ">, method=PLAIN, rip=127.0.0.1" + seedCSI + ", lip=127.0.0.1, mpid=28203, secured, session=<j32ZaCth" + seedRLO + ">")
		line("Nov 26 10:28:46 " + p + "(alice" + seedOSC0 + ")<28203><j32ZaCth>: Info: Disconnected: Logged out in=100 out=1026" + seedC1)
		line("Nov 26 10:28:48 " + p + "-login: Info: Disconnected: Connection closed (auth failed, 1 attempts in 2 secs): user=<bob" + seedC1R + ">, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, session=<x>")
	case "bounce":
		if proto != wire.SMTP {
			return ""
		}
		line("From: MAILER-DAEMON@mx.example.net" + seedOSC0)
		line("Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"")
		line("")
		line("--b")
		line("Content-Type: message/delivery-status")
		line("")
		line("Reporting-MTA: dns; mx" + seedCSI + ".example.net")
		line("")
		line("Final-Recipient: rfc822; bob" + seedOSC52 + "@example.org")
		line("Action: failed" + seedRLO)
		line("Status: 5.1.1")
		line("Remote-MTA: dns; 127.0.0.1" + seedC1)
		line("Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: User unknown" + seedOSC0 + seedC1R)
		line("")
		line("Final-Recipient: rfc822; carol" + seedRLO + "@example.org")
		line("Action: delayed")
		line("Status: 4.4.1")
		line("Diagnostic-Code: X-Postfix; connect to mx: timed out" + seedCSI)
		line("")
		line("--b--")
	case "exim":
		if proto != wire.SMTP {
			return ""
		}
		line("2026-11-26 10:37:17 1xWWqr-0000dV-0O <= alice" + seedOSC0 + "@example.com U=root P=local S=339")
		line("2026-11-26 10:37:17 1xWWqr-0000dV-0O ** bob" + seedRLO + "@example.com R=smarthost T=remote_smtp H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<bob" + seedCSI + "@example.com>: 550 5.1.1 <bob@example.com>: Recipient address rejected" + seedOSC52 + seedC1)
		line("2026-11-26 10:37:17 1xWWqr-0000dV-0O == carol@example.com R=smarthost T=remote_smtp defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after MAIL FROM:<alice@example.com> SIZE=1000: 451 4.3.0 try later" + seedC1R)
	case "message":
		if proto != wire.SMTP {
			return ""
		}
		line("Received: from evil.example (evil.example [192.0.2.1])\a")
		line("\tby mx.example.org with ESMTP" + seedCSI + "; Thu, 26 Nov 2026 10:34:51 +0000")
		line("From: Boss" + seedOSC0 + " <boss@example.com>")
		line("To: you@example.org")
		line("Subject: invoice" + seedOSC52 + seedC1)
		line("Reply-To: pay" + seedRLO + "gpj.exe@example.net")
		line("X-Evil" + seedC1R + ": yes")
		line("Authentication-Results: mx" + seedCSI + "; spf=pass; dkim=fail" + seedRLO)
		line("DKIM-Signature: v=1; d=evil" + seedOSC0 + ".example; s=sel" + seedRLO)
		line("Date: Thu, 26 Nov 2026 10:34:50 +0000")
		line("")
		line("body")
	default:
		panic("no seed renderer for " + format)
	}
	return b.String()
}

// TestWriteAnnotateFuzzSeeds writes the attack seeds of every annotate
// fuzz target (go test -run WriteAnnotateFuzzSeeds -write-seeds); without
// the flag it checks that every format has at least one.
func TestWriteAnnotateFuzzSeeds(t *testing.T) {
	dialogues := seedDialogues()
	for _, format := range append(logs.Formats(), "message") {
		name := "FuzzAnnotate" + map[logs.Format]string{
			"cs": "CS", "openssl": "OpenSSL", "bounce": "Bounce",
		}[format]
		if name == "FuzzAnnotate" {
			name += strings.ToUpper(string(format[:1])) + string(format[1:])
		}
		dir := filepath.Join("testdata", "fuzz", name)
		n := 0
		for _, proto := range []wire.Proto{wire.SMTP, wire.POP3, wire.IMAP} {
			seed := renderSeed(string(format), proto, dialogues[proto])
			if seed == "" {
				continue
			}
			n++
			file := filepath.Join(dir, "attack-"+string(proto))
			if !*writeSeeds {
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s: no seed %s (go test -run WriteAnnotateFuzzSeeds -write-seeds)", format, file)
				}
				continue
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(seed))
			if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if n == 0 {
			t.Errorf("%s: no seed", format)
		}
	}
}
