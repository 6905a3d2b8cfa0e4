package logs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// sample describes what one file of testdata must parse into.
type sample struct {
	file     string
	format   Format
	protos   []wire.Proto // one per session, in order
	client   int          // client Line events in all sessions
	server   int          // server Line events
	payloads int          // Payload events
	tls      int          // TLS events
	secrets  int          // events with a Secret range
	problems []int        // line numbers of the Problems, in order
}

var samples = []sample{
	{file: "swaks_starttls_auth_login.log", format: FormatSwaks, protos: []wire.Proto{wire.SMTP}, client: 10, server: 21, payloads: 1, tls: 1, secrets: 2},
	{file: "swaks_auth_plain.log", format: FormatSwaks, protos: []wire.Proto{wire.SMTP}, client: 6, server: 13, payloads: 1, secrets: 1},
	{file: "swaks_implicit_tls.log", format: FormatSwaks, protos: []wire.Proto{wire.SMTP}, client: 5, server: 11, tls: 1, secrets: 1},
	{file: "swaks_error.log", format: FormatSwaks, protos: []wire.Proto{wire.SMTP}, client: 2, server: 3},
	{file: "curl_smtp_starttls.log", format: FormatCurl, protos: []wire.Proto{wire.SMTP}, client: 8, server: 19, payloads: 1, tls: 1, secrets: 1},
	{file: "curl_pop3_retr.log", format: FormatCurl, protos: []wire.Proto{wire.POP3}, client: 4, server: 11, payloads: 1, secrets: 1, problems: []int{23, 24, 25, 27, 28}},
	{file: "curl_imap_fetch.log", format: FormatCurl, protos: []wire.Proto{wire.IMAP}, client: 7, server: 17, tls: 1, secrets: 1, problems: []int{80, 81, 82, 84, 85}},
	{file: "smtplib_level1.log", format: FormatSmtplib, protos: []wire.Proto{wire.SMTP}, client: 9, server: 19, payloads: 1, tls: 1, secrets: 1},
	{file: "smtplib_level2.log", format: FormatSmtplib, protos: []wire.Proto{wire.SMTP}, client: 5, server: 12, payloads: 1},
	{file: "imaplib_starttls.log", format: FormatImaplib, protos: []wire.Proto{wire.IMAP}, client: 8, server: 19, tls: 1, secrets: 1},
	{file: "imaplib_append_bad.log", format: FormatImaplib, protos: []wire.Proto{wire.IMAP}, client: 3, server: 5, secrets: 1, problems: []int{13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}},
	{file: "poplib_level2.log", format: FormatPoplib, protos: []wire.Proto{wire.POP3}, client: 8, server: 24, secrets: 1, problems: []int{11}},
	{file: "poplib_level1.log", format: FormatPoplib, protos: []wire.Proto{wire.POP3}, client: 7, secrets: 1},
	{file: "cs_smtp_rfc5321.log", format: FormatCS, protos: []wire.Proto{wire.SMTP}, client: 10, server: 18, payloads: 1, tls: 1, secrets: 1},
	{file: "cs_imap_rfc3501.log", format: FormatCS, protos: []wire.Proto{wire.IMAP}, client: 6, server: 17, payloads: 1, secrets: 1},
	{file: "cs_pop3_nospace.log", format: FormatCS, protos: []wire.Proto{wire.POP3}, client: 6, server: 14, secrets: 1},
	{file: "arrows_smtp.log", format: FormatArrows, protos: []wire.Proto{wire.SMTP}, client: 9, server: 16, payloads: 1, secrets: 2},
	{file: "arrows_imap.log", format: FormatArrows, protos: []wire.Proto{wire.IMAP}, client: 4, server: 9, payloads: 1, secrets: 1},
	{file: "openssl_smtp_starttls.log", format: FormatOpenSSL, protos: []wire.Proto{wire.SMTP}, client: 8, server: 14, payloads: 1, tls: 1, secrets: 2, problems: []int{71, 72}},
	{file: "openssl_imaps.log", format: FormatOpenSSL, protos: []wire.Proto{wire.IMAP}, client: 4, server: 12, payloads: 1, secrets: 1},
	{file: "thunderbird_imap_smtp.log", format: FormatThunderbird, protos: []wire.Proto{wire.IMAP, wire.IMAP, wire.SMTP}, client: 13, server: 26, tls: 1, secrets: 2, problems: []int{42}},
	{file: "thunderbird_js_pop3.log", format: FormatThunderbird, protos: []wire.Proto{wire.POP3, wire.SMTP}, client: 10, server: 21, tls: 1, secrets: 1},
	{file: "msmtp_starttls.log", format: FormatMsmtp, protos: []wire.Proto{wire.SMTP}, client: 8, server: 25, payloads: 1, tls: 1, secrets: 1},
	{file: "fetchmail_pop3.log", format: FormatFetchmail, protos: []wire.Proto{wire.POP3}, client: 15, server: 41, payloads: 3, tls: 1, secrets: 1},
	{file: "fetchmail_imap.log", format: FormatFetchmail, protos: []wire.Proto{wire.IMAP}, client: 16, server: 45, tls: 1, secrets: 1},
	{file: "mbsync_network.log", format: FormatMbsync, protos: []wire.Proto{wire.IMAP}, client: 22, server: 78, tls: 1, secrets: 1},
	{file: "mbsync_debug.log", format: FormatMbsync, protos: []wire.Proto{wire.IMAP}, client: 22, server: 78, tls: 1, secrets: 1},
	{file: "thunderbird153_imap_real.log", format: FormatThunderbird, protos: []wire.Proto{wire.IMAP, wire.IMAP}, client: 29, server: 85, payloads: 12, problems: []int{119}},
	{file: "thunderbird153_pop3_console_real.log", format: FormatThunderbird, protos: []wire.Proto{wire.POP3}, client: 10, server: 114, secrets: 1, problems: []int{1, 3}},
	{file: "imaplib_dovecot_real.log", format: FormatImaplib, protos: []wire.Proto{wire.IMAP}, client: 13, server: 32, tls: 1, secrets: 1},
	{file: "curl_pop3_two_runs_dovecot_real.log", format: FormatCurl, protos: []wire.Proto{wire.POP3, wire.POP3}, client: 9, server: 31, payloads: 1, secrets: 2},
	{file: "curl_imap_dovecot_real.log", format: FormatCurl, protos: []wire.Proto{wire.IMAP}, client: 7, server: 18, tls: 1, secrets: 1},
	{file: "swaks_postfix_relay_real.log", format: FormatSwaks, protos: []wire.Proto{wire.SMTP}, client: 4, server: 15},
	{file: "swaks_postfix_starttls_real.log", format: FormatSwaks, protos: []wire.Proto{wire.SMTP}, client: 7, server: 28, payloads: 1, tls: 1},
	{file: "postfix_debug_peer_real.log", format: FormatPostfix, protos: []wire.Proto{wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP}, client: 22, server: 82, payloads: 2, tls: 1},
	{file: "thunderbird153_dovecot_real.log", format: FormatThunderbird, protos: []wire.Proto{wire.IMAP, wire.IMAP}, client: 22, server: 68, payloads: 12},
	{file: "postfix_summary_real.log", format: FormatPostfix, protos: []wire.Proto{wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP, wire.SMTP}, client: 4, server: 4},
	{file: "dovecot_logins_real.log", format: FormatDovecot, protos: []wire.Proto{wire.IMAP, wire.IMAP, wire.IMAP, wire.IMAP, wire.POP3, wire.POP3, wire.IMAP, wire.POP3}},
	{file: "postfix_bounce_real.log", format: FormatDSN, protos: []wire.Proto{wire.SMTP}, server: 1},
	{file: "exim_mainlog_real.log", format: FormatExim, protos: []wire.Proto{wire.SMTP, wire.SMTP, wire.SMTP}, client: 3, server: 3},
	{file: "exchange_receive.log", format: FormatExchange, protos: []wire.Proto{wire.SMTP}, client: 8, server: 31, payloads: 1, tls: 1},
	{file: "exchange_send.log", format: FormatExchange, protos: []wire.Proto{wire.SMTP}, client: 6, server: 22, tls: 1},
	{file: "thunderbird_nspr.log", format: FormatThunderbird, protos: []wire.Proto{wire.IMAP, wire.SMTP, wire.POP3}, client: 9, server: 13, secrets: 2},
}

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseSample(t *testing.T, name string) *Result {
	t.Helper()
	res, err := Parse(bytes.NewReader(readSample(t, name)), Options{})
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return res
}

func TestSamples(t *testing.T) {
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			res := parseSample(t, s.file)
			if res.Format != s.format {
				t.Errorf("format %q, want %q", res.Format, s.format)
			}
			if len(res.Sessions) != len(s.protos) {
				t.Fatalf("%d sessions, want %d", len(res.Sessions), len(s.protos))
			}
			var client, server, payloads, tls, secrets int
			for i, sess := range res.Sessions {
				if sess.Proto != s.protos[i] {
					t.Errorf("session %d speaks %s, want %s", i+1, sess.Proto, s.protos[i])
				}
				if len(sess.Events) == 0 || sess.Events[0].Kind != wire.Open {
					t.Errorf("session %d does not start with an Open event", i+1)
				}
				for _, e := range sess.Events {
					if e.Session != sess.ID || e.Proto != sess.Proto {
						t.Errorf("event %d carries session %s/%s, want %s/%s", e.Seq, e.Session, e.Proto, sess.ID, sess.Proto)
					}
					switch {
					case e.Kind == wire.Line && e.Dir == wire.FromClient:
						client++
					case e.Kind == wire.Line && e.Dir == wire.FromServer:
						server++
					case e.Kind == wire.Payload:
						payloads++
					case e.Kind == wire.TLS:
						tls++
					}
					if !e.Secret.Empty() {
						secrets++
					}
					if e.Kind == wire.Line && !bytes.HasSuffix(e.Data, []byte("\r\n")) {
						t.Errorf("line %q does not end in CRLF", e.Data)
					}
				}
			}
			got := []int{client, server, payloads, tls, secrets}
			want := []int{s.client, s.server, s.payloads, s.tls, s.secrets}
			names := []string{"client lines", "server lines", "payloads", "TLS events", "secrets"}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %d, want %d", names[i], got[i], want[i])
				}
			}
			var lines []int
			for _, p := range res.Problems {
				lines = append(lines, p.Line)
			}
			if !equalInts(lines, s.problems) {
				t.Errorf("problems on lines %v, want %v: %+v", lines, s.problems, res.Problems)
			}
			checkSeq(t, res)
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkSeq verifies Seq numbers run 1..N across the result, increasing
// within each session.
func checkSeq(t *testing.T, res *Result) {
	t.Helper()
	seen := map[uint64]bool{}
	for _, s := range res.Sessions {
		var last uint64
		for _, e := range s.Events {
			if e.Seq <= last {
				t.Errorf("session %s: Seq %d after %d", s.ID, e.Seq, last)
			}
			last = e.Seq
			seen[e.Seq] = true
		}
	}
	for i := uint64(1); i <= uint64(len(seen)); i++ {
		if !seen[i] {
			t.Errorf("Seq %d missing (have %d events)", i, len(seen))
		}
	}
}

func TestDetectSamples(t *testing.T) {
	for _, s := range samples {
		f, p := Detect(readSample(t, s.file))
		if f != s.format || p != s.protos[0] {
			t.Errorf("Detect(%s) = %s, %s; want %s, %s", s.file, f, p, s.format, s.protos[0])
		}
	}
}

// events returns every event of the result in Seq order.
func events(res *Result) []wire.Event {
	var all []wire.Event
	for _, s := range res.Sessions {
		all = append(all, s.Events...)
	}
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && all[j].Seq < all[j-1].Seq; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	return all
}

// find returns the first event whose data starts with prefix.
func find(t *testing.T, evs []wire.Event, prefix string) (int, wire.Event) {
	t.Helper()
	for i, e := range evs {
		if strings.HasPrefix(string(e.Data), prefix) {
			return i, e
		}
	}
	t.Fatalf("no event starts with %q", prefix)
	return 0, wire.Event{}
}

// lineTexts returns the text of a session's lines, line ends cut.
func lineTexts(s Session) []string {
	var lines []string
	for _, e := range s.Events {
		if e.Kind == wire.Line {
			lines = append(lines, strings.TrimRight(string(e.Data), "\r\n"))
		}
	}
	return lines
}

func secretText(e wire.Event) string { return string(e.Data[e.Secret.Start:e.Secret.End]) }

func TestSwaksStartTLS(t *testing.T) {
	evs := events(parseSample(t, "swaks_starttls_auth_login.log"))
	i, e := find(t, evs, "TLS 1.3")
	if e.Kind != wire.TLS || evs[i-1].Dir != wire.FromServer || !strings.HasPrefix(string(evs[i-1].Data), "220 2.0.0") {
		t.Errorf("TLS event %+v does not follow the 220 go-ahead", e)
	}
	for _, e := range evs[:i] {
		if e.Encrypted {
			t.Errorf("%q encrypted before TLS", e.Data)
		}
	}
	for _, e := range evs[i:] {
		if !e.Encrypted {
			t.Errorf("%q not encrypted after TLS", e.Data)
		}
	}
	_, user := find(t, evs, "YWxpY2VAZXhhbXBsZS5jb20=")
	if secretText(user) != "YWxpY2VAZXhhbXBsZS5jb20=" {
		t.Errorf("AUTH LOGIN user secret %q", secretText(user))
	}
	_, body := find(t, evs, "Date: ")
	if body.Kind != wire.Payload || !bytes.HasSuffix(body.Data, []byte("\r\n.\r\n")) || body.Dir != wire.FromClient {
		t.Errorf("DATA body is not one client payload: %+v", body)
	}
	if last := evs[len(evs)-1]; last.Kind != wire.Close {
		t.Errorf("last event %v, want close", last.Kind)
	}
}

func TestSwaksAuthPlainSecret(t *testing.T) {
	evs := events(parseSample(t, "swaks_auth_plain.log"))
	_, e := find(t, evs, "AUTH PLAIN")
	if secretText(e) != `\0alice\0wonderland` {
		t.Errorf("secret %q", secretText(e))
	}
	if string(e.Masked()) != "AUTH PLAIN ********\r\n" {
		t.Errorf("masked %q", e.Masked())
	}
}

func TestCurlMissingBodyAndLiteral(t *testing.T) {
	evs := events(parseSample(t, "curl_smtp_starttls.log"))
	i, _ := find(t, evs, "354 ")
	if body := evs[i+1]; body.Dir != wire.FromClient || body.Kind != wire.Payload || len(body.Data) != 0 {
		t.Errorf("after 354 comes %v %q, want an empty payload: curl does not show the body", body.Kind, body.Data)
	}
	if next := evs[i+2]; next.Dir != wire.FromServer || !strings.HasPrefix(string(next.Data), "250 2.0.0") {
		t.Errorf("after the body comes %q, want the 250", next.Data)
	}
	_, e := find(t, evs, "AGFsaWNl")
	if e.Secret.Start != 0 || e.Secret.End != len("AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=") {
		t.Errorf("AUTH PLAIN response secret %+v", e.Secret)
	}

	evs = events(parseSample(t, "curl_imap_fetch.log"))
	i, _ = find(t, evs, "* 1 FETCH")
	if next := evs[i+1]; next.Kind != wire.Line || string(next.Data) != ")\r\n" {
		t.Errorf("after the literal marker comes %v %q, want the line \")\"", next.Kind, next.Data)
	}
}

func TestPythonLogs(t *testing.T) {
	res := parseSample(t, "smtplib_level1.log")
	evs := events(res)
	i, _ := find(t, evs, "220 2.0.0 Ready to start TLS")
	if evs[i+1].Kind != wire.TLS {
		t.Errorf("no TLS event inferred after STARTTLS's 220")
	}
	_, body := find(t, evs, "From: alice")
	if body.Kind != wire.Payload || !bytes.Contains(body.Data, []byte("\r\n..leading dot\r\n")) {
		t.Errorf("smtplib body %v %q", body.Kind, body.Data)
	}

	res = parseSample(t, "smtplib_level2.log")
	evs = events(res)
	if evs[1].Time.IsZero() || evs[1].Time.Hour() != 21 || evs[1].Time.Minute() != 31 {
		t.Errorf("level 2 timestamp not kept: %v", evs[1].Time)
	}
	if string(res.Sessions[0].Events[0].Data) != "connecting to 127.0.0.1:2525" {
		t.Errorf("open note %q", res.Sessions[0].Events[0].Data)
	}

	evs = events(parseSample(t, "imaplib_starttls.log"))
	_, login := find(t, evs, "BCBK3 LOGIN")
	if secretText(login) != `"won\"der land"` {
		t.Errorf("LOGIN secret %q", secretText(login))
	}

	evs = events(parseSample(t, "poplib_level2.log"))
	_, pass := find(t, evs, "PASS")
	if secretText(pass) != "builder" {
		t.Errorf("PASS secret %q", secretText(pass))
	}
	if _, e := find(t, evs, "From: alice"); e.Dir != wire.FromServer {
		t.Errorf("RETR content from %v", e.Dir)
	}
}

func TestCSAndArrowsLiterals(t *testing.T) {
	evs := events(parseSample(t, "cs_imap_rfc3501.log"))
	_, lit := find(t, evs, "Date: Wed")
	if lit.Kind != wire.Payload || len(lit.Data) != 45 {
		t.Errorf("literal %v of %d bytes", lit.Kind, len(lit.Data))
	}
	evs = events(parseSample(t, "arrows_imap.log"))
	_, pw := find(t, evs, "wonderland")
	if pw.Kind != wire.Payload || secretText(pw) != "wonderland" {
		t.Errorf("LOGIN literal password %v secret %q", pw.Kind, secretText(pw))
	}
}

func TestOpenSSLDirections(t *testing.T) {
	res := parseSample(t, "openssl_smtp_starttls.log")
	evs := events(res)
	_, body := find(t, evs, "Subject: hello from openssl")
	if body.Kind != wire.Payload || body.Dir != wire.FromClient || !bytes.Contains(body.Data, []byte("250 is just a number")) {
		t.Errorf("body %v from %v: %q", body.Kind, body.Dir, body.Data)
	}
	for _, e := range evs {
		if strings.HasPrefix(string(e.Data), "RCPT TO") {
			t.Errorf("the RCPT line s_client ate is shown as sent")
		}
	}
	if !strings.Contains(res.Problems[1].Reason, "-nocommands") {
		t.Errorf("RENEGOTIATING problem does not say how to avoid it: %+v", res.Problems[1])
	}
}

func TestThunderbirdSessions(t *testing.T) {
	res := parseSample(t, "thunderbird_imap_smtp.log")
	s2 := res.Sessions[1].Events
	if !strings.HasPrefix(string(s2[1].Data), "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN]") {
		t.Errorf("second IMAP connection starts with %q", s2[1].Data)
	}
	_, sasl := find(t, s2, "AGJvYgBidWlsZGVy")
	if secretText(sasl) != "AGJvYgBidWlsZGVy" {
		t.Errorf("AUTHENTICATE response secret %q", secretText(sasl))
	}
	_, suppressed := find(t, res.Sessions[0].Events, "[Logging suppressed")
	if suppressed.Dir != wire.FromClient || !suppressed.Encrypted {
		t.Errorf("suppressed line %+v", suppressed)
	}
	if !strings.Contains(res.Problems[0].Reason, "log order kept") {
		t.Errorf("reordering not noted: %+v", res.Problems)
	}
	smtp := res.Sessions[2].Events
	if _, multi := find(t, smtp, "250 8BITMIME"); multi.Dir != wire.FromServer {
		t.Errorf("continuation line of a multi-line response from %v", multi.Dir)
	}
	if _, after := find(t, smtp, "250 2.0.0 Ok: queued"); after.Kind != wire.Line {
		t.Errorf("reply after the unlogged body is a %v", after.Kind)
	}
}

// A log taken after the connection opened (the NSPR sample starts inside an
// IDLE, and its POP3 and SMTP sessions lack the greeting) is explained as
// such: the first reply answers the first command shown, not a greeting the
// log never had, and lines answering unseen commands say so.
func TestAnnotateLogStartingMidSession(t *testing.T) {
	res := parseSample(t, "thunderbird_nspr.log")
	notes := map[string]string{}
	for _, s := range res.Sessions {
		a := transcripts.NewAnnotator(s.Proto, transcripts.AnnotateOptions{})
		for _, e := range s.Events {
			l := a.Annotate(e)
			notes[string(s.Proto)+" "+l.Text] = l.Note
		}
	}
	for line, want := range map[string]string{
		"imap DONE":                              "the IDLE command itself was sent before this log begins",
		"imap 14 OK Idle completed.":             "a command sent before this log begins",
		"imap * 7 FETCH (UID 41 FLAGS (\\Seen))": "UID 41",
		"smtp 220 smtp.example.com ESMTP ready":  "the server is ready",
		"pop3 +OK":                               "user name noted",
		"pop3 +OK 0 0":                           "the maildrop holds 0 messages",
	} {
		got, ok := notes[line]
		if !ok {
			t.Errorf("no line %q in the annotated log", line)
			continue
		}
		if !strings.Contains(got, want) {
			t.Errorf("%q is explained as %q, want it to say %q", line, got, want)
		}
	}
}

func TestForcedFormatAndProto(t *testing.T) {
	in := "> USER bob\n< +OK\n> PASS builder\n< +OK\n"
	res, err := Parse(strings.NewReader(in), Options{Format: FormatArrows, Proto: wire.POP3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sessions[0].Proto != wire.POP3 || len(res.Problems) != 0 {
		t.Fatalf("got %+v", res)
	}
	if _, err := Parse(strings.NewReader(in), Options{Format: "telnet"}); err == nil {
		t.Error("an unknown format name is not an error")
	}
}

func TestGarbageGivesProblems(t *testing.T) {
	in := "hello there\nthis is not a log\n\x00\x01\x02\n"
	res, err := Parse(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != FormatUnknown || len(res.Sessions) != 0 || len(res.Problems) != 3 {
		t.Errorf("got format %s, %d sessions, problems %+v", res.Format, len(res.Sessions), res.Problems)
	}
	// A known format with foreign lines mixed in reports them.
	res, err = Parse(strings.NewReader("C: EHLO x\nS: 250 ok\nsomething else\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != FormatCS || len(res.Problems) != 1 || res.Problems[0].Line != 3 {
		t.Errorf("mixed log: %s %+v", res.Format, res.Problems)
	}
}

func TestMaxBytes(t *testing.T) {
	_, err := Parse(strings.NewReader(strings.Repeat("C: NOOP\n", 100)), Options{MaxBytes: 64})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

func TestPyRepr(t *testing.T) {
	cases := []struct{ in, want string }{
		{`b'250 ok\r\n'`, "250 ok\r\n"},
		{`'ehlo x\r\n'`, "ehlo x\r\n"},
		{`b'it\'s \\ "q" \t\x00\xff'`, "it's \\ \"q\" \t\x00\xff"},
		{`b"it's"`, "it's"},
		{`'caf\xe9 \u20ac'`, "café €"},
	}
	for _, c := range cases {
		got, rest, err := pyRepr(c.in)
		if err != nil || string(got) != c.want || rest != "" {
			t.Errorf("pyRepr(%s) = %q, %q, %v; want %q", c.in, got, rest, err, c.want)
		}
	}
	for _, bad := range []string{``, `b`, `b'unterminated`, `x'y'`, `b'\u20ac'`, `b'\xZZ'`} {
		if _, _, err := pyRepr(bad); err == nil {
			t.Errorf("pyRepr(%q) accepted", bad)
		}
	}
}

// Dovecot through syslog ("mail dovecot: " before each line) reads as its
// own log_path does.
func TestDovecotThroughSyslog(t *testing.T) {
	log := "Nov 26 10:28:52 mail dovecot: pop3-login: Login: user=<dana>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, mpid=2820, TLS, session=<sQeyaCthTo1/AAAB>\n" +
		"Nov 26 10:29:30 mail dovecot: pop3(dana)<2820><sQeyaCthTo1/AAAB>: Disconnected: Logged out top=0/0, retr=3/9120, del=3/3, size=9003\n"
	res, err := Parse(strings.NewReader(log), Options{})
	if err != nil || res.Format != FormatDovecot || len(res.Sessions) != 1 || len(res.Problems) != 0 {
		t.Fatalf("%v %+v", err, res)
	}
	evs := res.Sessions[0].Events
	if len(evs) != 2 || !strings.Contains(string(evs[0].Data), "logged in to POP3 as dana with PLAIN, over TLS") ||
		!strings.Contains(string(evs[1].Data), "3 messages downloaded with RETR (9120 bytes); 3 of the 3 messages in the maildrop deleted") {
		t.Fatalf("events: %q / %q", evs[0].Data, evs[len(evs)-1].Data)
	}
}

// A bounce's delivery-status part as Gmail writes it: its three-line 550
// folded into one Diagnostic-Code is split back into lines; a delayed
// recipient with no reply is a session that says why.
func TestBounceDeliveryStatus(t *testing.T) {
	bounce := "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nAddress not found\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; googlemail.com\r\nArrival-Date: Wed, 25 Nov 2026 09:12:00 -0800\r\n\r\n" +
		"Final-Recipient: rfc822; friend.typo@gmail.com\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.102.27, the server for the domain gmail.com.)\r\n" +
		"Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n" +
		" 550-5.1.1 double-checking the recipient's email address for typos or\r\n" +
		" 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1si - gsmtp\r\n\r\n" +
		"Final-Recipient: rfc822; slow@example.org\r\nAction: delayed\r\nStatus: 4.4.1\r\nDiagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.9]:25: Connection timed out\r\n" +
		"--b--\r\n"
	res, err := Parse(strings.NewReader(bounce), Options{})
	if err != nil || res.Format != FormatDSN || len(res.Sessions) != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	lines := lineTexts(res.Sessions[0])
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "550-5.1.1 The email account") || !strings.HasPrefix(lines[2], "550 5.1.1 unnecessary spaces.") {
		t.Fatalf("the reply's lines: %q", lines)
	}
	last := res.Sessions[1].Events[len(res.Sessions[1].Events)-1]
	if last.Kind != wire.Close || !strings.Contains(string(last.Data), "Connection timed out") || !strings.Contains(string(last.Data), "the server keeps trying") {
		t.Fatalf("the delayed recipient: %+v", last)
	}
}

// Postfix's warning of a failed login becomes the AUTH it names and the
// 535 5.7.8 Postfix always answers, without the user name the log adds.
func TestPostfixFailedLogin(t *testing.T) {
	log := "Nov 26 03:12:09 mail postfix/submission/smtpd[4412]: warning: unknown[198.51.100.23]: SASL PLAIN authentication failed: authentication failure, sasl_username=admin\n"
	res, err := Parse(strings.NewReader(log), Options{})
	if err != nil || res.Format != FormatPostfix || len(res.Sessions) != 1 {
		t.Fatalf("%v %+v", err, res)
	}
	lines := lineTexts(res.Sessions[0])
	if strings.Join(lines, "|") != "AUTH PLAIN|535 5.7.8 Error: authentication failed: authentication failure" {
		t.Fatalf("lines %q", lines)
	}
}

// Debian's /var/log/mail.log holds Postfix's and Dovecot's lines together:
// read as one log, whichever is detected, both are understood.
func TestMailLogWithPostfixAndDovecot(t *testing.T) {
	log := "Nov 26 10:28:40 mail postfix/smtpd[25595]: NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 454 4.7.1 <someone@gmail.com>: Relay access denied; from=<a@example.com> to=<someone@gmail.com> proto=ESMTP helo=<vm>\n" +
		"Nov 26 10:28:52 mail dovecot: pop3-login: Login: user=<dana>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, mpid=2820, TLS, session=<sQeyaCthTo1/AAAB>\n" +
		"Nov 26 10:29:30 mail dovecot: pop3(dana)<2820><sQeyaCthTo1/AAAB>: Disconnected: Logged out top=0/0, retr=3/9120, del=0/3, size=9003\n" +
		"Nov 26 10:29:31 mail postfix/qmgr[1234]: 8A000B8834: removed\n"
	for _, format := range []Format{"", FormatPostfix, FormatDovecot} {
		res, err := Parse(strings.NewReader(log), Options{Format: format})
		if err != nil || len(res.Sessions) != 2 || len(res.Problems) != 0 {
			t.Fatalf("format %q: %v %+v", format, err, res)
		}
		if res.Sessions[0].Proto != wire.SMTP || res.Sessions[1].Proto != wire.POP3 {
			t.Errorf("format %q: sessions %s, %s", format, res.Sessions[0].Proto, res.Sessions[1].Proto)
		}
	}
}

// A problem quotes its log line: a credential in it is masked, as in the
// events (found by FuzzAnnotateSmtplib: smtplib's lines out of timestamp
// order were reported with AUTH PLAIN's base64 in clear).
func TestProblemQuotingAuthLineMasksTheSecret(t *testing.T) {
	log := "21:31:20.700000 reply: b'220 mx ESMTP\\r\\n'\n" +
		"21:31:20.600000 send: 'AUTH PLAIN AGFsaWNlAFN3MHJkZmlzaC0x\\r\\n'\n" +
		"21:31:20.800000 reply: b'235 2.7.0 ok\\r\\n'\n"
	res, err := Parse(strings.NewReader(log), Options{Format: FormatSmtplib})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) == 0 {
		t.Fatal("the line out of order was not reported")
	}
	for _, p := range res.Problems {
		if strings.Contains(p.Text, "AGFsaWNlAFN3MHJkZmlzaC0x") {
			t.Errorf("problem quotes the credential: %+v", p)
		}
	}
}
