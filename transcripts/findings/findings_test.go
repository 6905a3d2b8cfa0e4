package findings

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

const pw = "s3cretPW"

var plainBlob = base64.StdEncoding.EncodeToString([]byte("\x00alice\x00" + pw))

// pop3Login logs in with USER/PASS.
func pop3Login(s *script, user string) *script {
	return s.s("+OK POP3 ready").c("USER " + user).s("+OK").c("PASS " + pw).s("+OK logged in")
}

// retr downloads message n.
func retr(s *script, n string) *script {
	return s.c("RETR "+n).s("+OK message follows", "Subject: hello "+n, "", "body", ".")
}

func TestPOP3DeletesEachMessage(t *testing.T) {
	w := newWorld()
	s := pop3Login(w.open("s1", wire.RolePOP3), "bob")
	s.c("STAT").s("+OK 2 320")
	retr(s, "1").c("DELE 1").s("+OK deleted")
	retr(s, "2").c("DELE 2").s("+OK deleted")
	s.c("QUIT").s("+OK bye")
	s.close()
	progs := Analyze(w.events, Options{})
	if len(progs) != 1 || progs[0].User != "bob" {
		t.Fatalf("programs: %+v", progs)
	}
	p := progs[0]
	f := finding(t, p, "pop3-deletes")
	if !strings.HasPrefix(f.Text, "uses POP3 and deletes each message after downloading it") {
		t.Errorf("text: %s", f.Text)
	}
	if ev := evidence(f); !strings.Contains(ev, "C: RETR 1") || !strings.Contains(ev, "C: DELE 1") {
		t.Errorf("evidence:\n%s", ev)
	}
	login := finding(t, p, "clear-login")
	if !strings.HasPrefix(login.Text, "logged in without encryption") || !login.Warning {
		t.Errorf("login: %+v", login)
	}
	if ev := evidence(login); !strings.Contains(ev, "C: PASS ********") || !strings.Contains(ev, "C: USER bob") {
		t.Errorf("login evidence:\n%s", ev)
	}
	noFinding(t, p, "pop3-keeps-uidl")
	noSecret(t, progs, pw)
}

func TestPOP3DeletesSomeMessages(t *testing.T) {
	w := newWorld()
	s := pop3Login(w.open("s1", wire.RolePOP3S), "bob")
	retr(s, "1").c("DELE 1").s("+OK")
	retr(s, "2")
	f := finding(t, Analyze(w.events, Options{})[0], "pop3-deletes")
	if f.Text != "uses POP3 and deleted 1 of the 2 messages it downloaded" {
		t.Errorf("text: %s", f.Text)
	}
}

func TestPOP3KeepsMailAndRemembersByUIDL(t *testing.T) {
	w := newWorld()
	// First run in clear, then STLS: both keep, both ask UIDL.
	s := pop3Login(w.open("s1", wire.RolePOP3), "bob")
	s.c("UIDL").s("+OK", "1 aaa", "2 bbb", ".")
	retr(s, "1")
	retr(s, "2").c("QUIT").s("+OK")
	s.close()
	w.wait(3 * time.Second)
	s = w.open("s2", wire.RolePOP3).s("+OK POP3 ready").c("STLS").s("+OK begin TLS").tls()
	s.c("USER bob").s("+OK").c("PASS " + pw).s("+OK")
	s.c("UIDL").s("+OK", "1 aaa", "2 bbb", "3 ccc", ".")
	retr(s, "3").c("QUIT").s("+OK")
	s.close()
	progs := Analyze(w.events, Options{})
	if len(progs) != 1 || len(progs[0].Sessions) != 2 {
		t.Fatalf("want one program with two sessions, got %+v", progs)
	}
	p := progs[0]
	f := finding(t, p, "pop3-keeps-uidl")
	if !strings.HasPrefix(f.Text, "keeps mail on the server and remembers what it fetched by UIDL") {
		t.Errorf("text: %s", f.Text)
	}
	noFinding(t, p, "pop3-deletes")
	noFinding(t, p, "downloaded-again") // the second session took only the new one
	if ev := evidence(finding(t, p, "clear-login")); !strings.Contains(ev, "[s1]") && !strings.Contains(ev, "USER bob") {
		t.Errorf("the clear login is the first session's:\n%s", ev)
	}
	noSecret(t, progs, pw)
}

func TestPOP3DownloadedTheWholeMailboxAgain(t *testing.T) {
	for _, uidl := range []bool{false, true} {
		w := newWorld()
		for i, id := range []string{"s1", "s2"} {
			s := pop3Login(w.open(id, wire.RolePOP3S), "carol")
			s.c("STAT").s("+OK 2 400")
			if uidl {
				// The numbers change (a message arrived first), the UIDs do not.
				if i == 0 {
					s.c("UIDL").s("+OK", "1 aaa", "2 bbb", ".")
				} else {
					s.c("UIDL").s("+OK", "1 zzz", "2 aaa", ".")
				}
			}
			retr(s, "1")
			retr(s, "2").c("QUIT").s("+OK")
			s.close()
			w.wait(time.Minute)
		}
		p := Analyze(w.events, Options{})[0]
		f := finding(t, p, "downloaded-again")
		switch {
		case !uidl && !strings.HasPrefix(f.Text, "downloaded the whole mailbox again (2 messages, every one fetched before)"):
			t.Errorf("without UIDL: %s", f.Text)
		case uidl && f.Text != "downloaded again 1 message it had already fetched in an earlier session":
			t.Errorf("with UIDL: %s", f.Text)
		}
		if !uidl {
			keeps := finding(t, p, "pop3-keeps")
			if !keeps.Warning {
				t.Error("keeping mail without UIDL is worth a warning")
			}
		}
	}
}

func TestSMTPAuthBeforeSTARTTLS(t *testing.T) {
	w := newWorld()
	s := w.open("s1", wire.RoleSubmission).s("220 mail.example.com ESMTP")
	s.c("EHLO laptop.local").s("250-mail.example.com", "250-STARTTLS", "250 8BITMIME")
	s.c("AUTH PLAIN " + plainBlob).s("530 5.7.0 Must issue a STARTTLS command first")
	s.c("STARTTLS").s("220 2.0.0 Ready to start TLS").tls()
	s.c("EHLO laptop.local").s("250-mail.example.com", "250 AUTH PLAIN LOGIN")
	s.c("AUTH PLAIN " + plainBlob).s("235 2.7.0 Authentication successful")
	s.c("QUIT").s("221 bye")
	progs := Analyze(w.events, Options{})
	p := progs[0]
	f := finding(t, p, "auth-before-tls")
	if !strings.HasPrefix(f.Text, "tried AUTH before STARTTLS") || !strings.Contains(f.Text, "password crossed the network") {
		t.Errorf("text: %s", f.Text)
	}
	if ev := evidence(f); !strings.Contains(ev, "C: AUTH PLAIN ********") || !strings.Contains(ev, "S: 530 5.7.0") {
		t.Errorf("evidence:\n%s", ev)
	}
	noFinding(t, p, "clear-login") // the login that worked was inside TLS
	if p.User != "alice" {
		t.Errorf("user %q, want alice (read from AUTH PLAIN's response)", p.User)
	}
	id := finding(t, p, "identity")
	if !strings.HasPrefix(id.Text, "identified itself as laptop.local in EHLO") {
		t.Errorf("identity: %s", id.Text)
	}
	noSecret(t, progs, pw, plainBlob)
}

func TestSMTPClearLoginWithAuthLogin(t *testing.T) {
	w := newWorld()
	s := w.open("s1", wire.RoleSubmission).s("220 mail.example.com ESMTP")
	s.c("EHLO pc").s("250-mail.example.com", "250 AUTH LOGIN PLAIN")
	user, pass := base64.StdEncoding.EncodeToString([]byte("alice")), base64.StdEncoding.EncodeToString([]byte(pw))
	s.c("AUTH LOGIN").s("334 VXNlcm5hbWU6").c(user).s("334 UGFzc3dvcmQ6").c(pass).s("235 2.7.0 ok")
	progs := Analyze(w.events, Options{})
	f := finding(t, progs[0], "clear-login")
	if ev := evidence(f); !strings.Contains(ev, "C: AUTH LOGIN") || !strings.Contains(ev, "S: 235") {
		t.Errorf("evidence:\n%s", ev)
	}
	if progs[0].User != "alice" {
		t.Errorf("user %q, want alice (AUTH LOGIN's first response)", progs[0].User)
	}
	noSecret(t, progs, pw, pass)
}

// TestSASLUsers reads the user of SASL logins in each protocol, with the
// response on the command line or after the challenge, and never keeps
// the password.
func TestSASLUsers(t *testing.T) {
	w := newWorld()
	pop := w.open("s1", wire.RolePOP3S).s("+OK ready")
	pop.c("AUTH PLAIN").s("+ ").c(base64.StdEncoding.EncodeToString([]byte("\x00carol\x00" + pw))).s("+OK")
	imap := w.open("s2", wire.RoleIMAPS).s("* OK ready")
	imap.c("a1 AUTHENTICATE PLAIN " + base64.StdEncoding.EncodeToString([]byte("dave\x00\x00"+pw))).s("a1 OK")
	smtp := w.open("s3", wire.RoleSubmissions).s("220 hi")
	smtp.c("EHLO x").s("250 AUTH PLAIN")
	smtp.c("AUTH PLAIN =").s("334 ").c(base64.StdEncoding.EncodeToString([]byte("\x00erin\x00" + pw))).s("235 ok")
	bad := w.open("s4", wire.RoleSubmissions).s("220 hi")
	bad.c("EHLO y").s("250 AUTH PLAIN").c("AUTH PLAIN not-base64!").s("501 5.5.2 bad")
	progs := Analyze(w.events, Options{})
	var users []string
	for _, p := range progs {
		users = append(users, p.User)
	}
	if strings.Join(users, ",") != "carol,dave,erin," {
		t.Errorf("users %q", users)
	}
	noSecret(t, progs, pw)
}

// imapflowSession is what a modern IMAP client does: ID, login, headers
// of the whole folder, one body when opened, IDLE, a copy in Sent, a
// message deleted.
func imapflowSession(w *world, id string, role wire.Role) *script {
	s := w.open(id, role).s("* OK [CAPABILITY IMAP4rev1 ID IDLE] ready")
	s.c(`1 ID ("name" "imapflow" "version" "1.0.164" "vendor" "Postal Systems")`).s(`* ID ("name" "mailtutor")`, "1 OK ID completed")
	s.c(`2 LOGIN "alice" "` + pw + `"`).s("2 OK LOGIN completed")
	s.c("3 SELECT INBOX").s("* 3 EXISTS", "3 OK [READ-WRITE] SELECT completed")
	s.c("4 UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])").s("4 OK FETCH completed")
	s.c("5 UID FETCH 2 (BODY.PEEK[])").s("5 OK FETCH completed")
	s.c("6 APPEND \"Sent\" (\\Seen) {12}").s("+ go ahead").raw("Subject: x\r\n\r\n").s("6 OK [APPENDUID 1 1] APPEND completed")
	s.c("7 UID STORE 2 +FLAGS.SILENT (\\Deleted)").s("7 OK STORE completed")
	s.c("8 UID EXPUNGE 2").s("* 2 EXPUNGE", "8 OK EXPUNGE completed")
	s.c("9 IDLE").s("+ idling").c("DONE").s("9 OK IDLE terminated")
	return s
}

func TestIMAPFindings(t *testing.T) {
	w := newWorld()
	imapflowSession(w, "s1", wire.RoleIMAP).close()
	progs := Analyze(w.events, Options{})
	if len(progs) != 1 {
		t.Fatalf("programs: %+v", progs)
	}
	p := progs[0]
	if p.Name != "imapflow 1.0.164" || p.User != "alice" {
		t.Errorf("program %q user %q", p.Name, p.User)
	}
	want := map[string]string{
		"identity":      "identified itself as imapflow 1.0.164 (IMAP ID",
		"clear-login":   "logged in without encryption",
		"imap-deletes":  "uses IMAP and deletes messages after downloading them (\\Deleted, then UID EXPUNGE)",
		"headers-first": "asks for headers only, then bodies on demand",
		"idle":          "waits with IDLE",
		"append-sent":   `saves sent mail to "Sent" with APPEND`,
	}
	for rule, text := range want {
		if f := finding(t, p, rule); !strings.HasPrefix(f.Text, text) {
			t.Errorf("%s: %q, want it to start with %q", rule, f.Text, text)
		}
	}
	if ev := evidence(finding(t, p, "headers-first")); !strings.Contains(ev, "HEADER.FIELDS") || !strings.Contains(ev, "UID FETCH 2 (BODY.PEEK[])") {
		t.Errorf("headers-first evidence:\n%s", ev)
	}
	if ev := evidence(finding(t, p, "clear-login")); !strings.Contains(ev, `2 LOGIN "alice" ********`) {
		t.Errorf("login evidence:\n%s", ev)
	}
	noFinding(t, p, "downloaded-again")
	noSecret(t, progs, pw)
}

func TestIMAPLoginOverTLSIsNoWarning(t *testing.T) {
	w := newWorld()
	imapflowSession(w, "s1", wire.RoleIMAPS)
	w.wait(time.Minute)
	// Another session of the same program: still one program.
	imapflowSession(w, "s2", wire.RoleIMAPS)
	progs := Analyze(w.events, Options{})
	if len(progs) != 1 || len(progs[0].Sessions) != 2 {
		t.Fatalf("programs: %+v", progs)
	}
	noFinding(t, progs[0], "clear-login")
	noFinding(t, progs[0], "auth-before-tls")
}

func TestIMAPWholeMailboxAgainAndNoName(t *testing.T) {
	w := newWorld()
	for _, id := range []string{"s1", "s2"} {
		s := w.open(id, wire.RoleIMAPS).s("* OK ready")
		s.c("A0001 CAPABILITY").s("* CAPABILITY IMAP4rev1", "A0001 OK done")
		s.c("A0002 LOGIN bob " + pw).s("A0002 OK")
		s.c("A0003 SELECT INBOX").s("A0003 OK")
		s.c("A0004 FETCH 1:* (FLAGS RFC822)").s("A0004 OK")
		w.wait(time.Minute)
	}
	progs := Analyze(w.events, Options{})
	if len(progs) != 1 {
		t.Fatalf("programs: %+v", progs)
	}
	p := progs[0]
	if p.Name != "an IMAP program that begins with CAPABILITY, tags like A9999" {
		t.Errorf("name: %q", p.Name)
	}
	if f := finding(t, p, "identity"); !strings.HasPrefix(f.Text, "did not name itself") || evidence(f) != "C: A0001 CAPABILITY\n" {
		t.Errorf("identity: %s\n%s", f.Text, evidence(f))
	}
	if f := finding(t, p, "downloaded-again"); !strings.HasPrefix(f.Text, "downloaded the whole mailbox again") {
		t.Errorf("again: %s", f.Text)
	}
	noSecret(t, progs, pw)
}

func TestIMAPDeletesWithoutDownloading(t *testing.T) {
	w := newWorld()
	s := w.open("s1", wire.RoleIMAPS).c("a1 LOGIN bob x").s("a1 OK")
	s.c(`a2 FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])`).s("a2 OK")
	s.c(`a3 STORE 2 +FLAGS.SILENT (\Deleted)`).s("a3 OK").c("a4 CLOSE").s("a4 OK")
	if f := finding(t, Analyze(w.events, Options{})[0], "imap-deletes"); f.Text != "uses IMAP and deletes messages on the server (\\Deleted, then CLOSE)" {
		t.Errorf("text: %s", f.Text)
	}
}

func TestIMAPLoginRefusedBeforeSTARTTLS(t *testing.T) {
	w := newWorld()
	s := w.open("s1", wire.RoleIMAP).s("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready")
	s.c("a1 LOGIN alice " + pw).s("a1 NO [PRIVACYREQUIRED] Login disabled until TLS")
	f := finding(t, Analyze(w.events, Options{})[0], "auth-before-tls")
	if !strings.HasPrefix(f.Text, "tried LOGIN before STARTTLS") || !strings.Contains(f.Text, "crossed the network") {
		t.Errorf("text: %s", f.Text)
	}
}

func TestTLSFailureInWords(t *testing.T) {
	cases := []struct {
		why  wire.TLSFailure
		want string
	}{
		{wire.TLSUntrusted, "the program did not trust the certificate: accept it after checking the fingerprint (SHA-256 AA:BB)"},
		{wire.TLSAbandoned, "the program broke off the TLS handshake without saying why"},
		{wire.TLSNotTLS, "the program spoke without TLS to a port that starts with TLS (the imaps port)"},
		{wire.TLSNoCommon, "the program and the server share no TLS version"},
		{wire.TLSOther, "the TLS handshake failed; the server saw: tls: odd"},
	}
	for _, c := range cases {
		w := newWorld()
		s := w.openFailing("s1", wire.RoleIMAPS)
		s.tlsFailed(c.why, "tls: odd")
		s.close()
		p := Analyze(w.events, Options{Fingerprint: "AA:BB"})[0]
		f := finding(t, p, "tls-failed")
		if !strings.HasPrefix(f.Text, c.want) || !f.Warning {
			t.Errorf("%s: %q, want it to start with %q", c.why, f.Text, c.want)
		}
		if ev := evidence(f); !strings.Contains(ev, "[TLS failed: tls: odd]") {
			t.Errorf("%s: evidence %q", c.why, ev)
		}
	}
}

func TestPollingAndGrouping(t *testing.T) {
	w := newWorld()
	for i := range 4 {
		pop3Login(w.open("p"+string(rune('0'+i)), wire.RolePOP3S), "bob").c("UIDL").s("+OK", ".").c("QUIT").s("+OK")
		// Another user of the same program, once: a program of its own.
		if i == 0 {
			pop3Login(w.open("q", wire.RolePOP3S), "carol").c("QUIT").s("+OK")
		}
		w.wait(5 * time.Minute)
	}
	progs := Analyze(w.events, Options{})
	if len(progs) != 2 || progs[0].User != "bob" || progs[1].User != "carol" || len(progs[0].Sessions) != 4 {
		t.Fatalf("programs: %+v", progs)
	}
	if f := finding(t, progs[0], "polling"); f.Text != "checks for mail every 5 minutes (a new connection each time)" {
		t.Errorf("polling: %s", f.Text)
	}
	a := New(Options{})
	for _, e := range w.events {
		a.Add(e)
	}
	if p, ok := a.ProgramOf("p2"); !ok || p.Key() != progs[0].Key() || len(p.Sessions) != 4 || len(p.Findings) != len(progs[0].Findings) {
		t.Errorf("ProgramOf(p2) = %+v, want %+v", p, progs[0])
	}
	if _, ok := a.ProgramOf("nosuch"); ok {
		t.Error("ProgramOf an unknown session")
	}
	noFinding(t, progs[1], "polling")

	// NOOP on an open IMAP connection every 30 s (give or take).
	w = newWorld()
	s := w.open("s1", wire.RoleIMAPS).c("a1 LOGIN bob x").s("a1 OK")
	for i, gap := range []int{30, 31, 29} {
		w.wait(time.Duration(gap) * time.Second)
		tag := "n" + string(rune('0'+i))
		s.c(tag + " NOOP").s(tag + " OK")
	}
	if f := finding(t, Analyze(w.events, Options{})[0], "polling"); f.Text != "checks for mail every 30 seconds (NOOP on an open connection)" {
		t.Errorf("noop polling: %s", f.Text)
	}
	// Irregular gaps are no polling.
	w = newWorld()
	s = w.open("s1", wire.RoleIMAPS).c("a1 LOGIN bob x").s("a1 OK")
	for i, gap := range []int{5, 60, 400} {
		w.wait(time.Duration(gap) * time.Second)
		tag := "n" + string(rune('0'+i))
		s.c(tag + " NOOP").s(tag + " OK")
	}
	noFinding(t, Analyze(w.events, Options{})[0], "polling")
}

func TestPOP3HeadersFirst(t *testing.T) {
	w := newWorld()
	s := pop3Login(w.open("s1", wire.RolePOP3S), "bob")
	s.c("TOP 1 0").s("+OK", "Subject: a", "", ".")
	retr(s, "1")
	f := finding(t, Analyze(w.events, Options{})[0], "headers-first")
	if !strings.Contains(f.Text, "TOP n 0, then RETR") {
		t.Errorf("text: %s", f.Text)
	}
}

func TestExportMarkdownAndHTML(t *testing.T) {
	w := newWorld()
	imapflowSession(w, "s1", wire.RoleIMAP).close()
	// A hostile line: Markdown and HTML syntax, an escape sequence.
	w.open("s2", wire.RoleIMAP).c("x1 ID (\"name\" \"<b>evil</b> `x` \x1b[2J\")").s("x1 OK")
	a := New(Options{})
	for _, e := range w.events {
		a.Add(e)
	}
	progs := a.Programs()
	md := a.Markdown(progs[0], ExportOptions{Note: func(l Line) string {
		if strings.Contains(l.Text, "IDLE") && l.Dir == wire.FromClient {
			return "the client waits for news"
		}
		return ""
	}})
	for _, want := range []string{"# What imapflow 1.0.164 did", "- user: `alice`", "## Findings",
		"- **Warning:** logged in without encryption", `[s1] C: 2 LOGIN "alice" ********`, "## Session s1 (IMAP, imap)",
		"C: 9 IDLE\n    # the client waits for news", "asks for headers only"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	page := a.HTML(progs[0], ExportOptions{})
	if !strings.Contains(page, "<li class=\"warn\">logged in without encryption") || !strings.Contains(page, "2 LOGIN &#34;alice&#34; ********") {
		t.Errorf("HTML:\n%s", page)
	}
	for _, out := range []string{md, page} {
		if strings.Contains(out, pw) {
			t.Error("an export shows the password")
		}
	}
	evil := a.HTML(progs[1], ExportOptions{})
	if strings.Contains(evil, "<b>evil") || strings.Contains(evil, "\x1b") {
		t.Errorf("the hostile name reached the page raw:\n%s", evil)
	}
	if md := a.Markdown(progs[1], ExportOptions{}); strings.Contains(md, "\x1b") || !strings.Contains(md, "# What &lt;b&gt;evil&lt;/b&gt; \\`x\\`") {
		t.Errorf("hostile Markdown:\n%s", md)
	}
}

func TestBounds(t *testing.T) {
	w := newWorld()
	s := pop3Login(w.open("s1", wire.RolePOP3), "bob")
	for range 20 {
		s.c("NOOP").s("+OK")
	}
	for i := range 5 {
		w.open("x"+string(rune('0'+i)), wire.RolePOP3).close()
	}
	a := New(Options{MaxLines: 10, MaxSessions: 3})
	for _, e := range w.events {
		a.Add(e)
	}
	a.Add(wire.Event{Kind: wire.Dropped, N: 7})
	lines, notKept := a.Lines("s1")
	if len(lines) != 10 || notKept == 0 {
		t.Errorf("kept %d lines, %d not kept", len(lines), notKept)
	}
	if n := len(a.Programs()); n > 3 {
		t.Errorf("%d programs kept, want at most 3 sessions' worth", n)
	}
	if a.Missed() != 7 {
		t.Errorf("missed %d", a.Missed())
	}

	// A bound on all lines: old closed sessions go, open ones stay.
	w = newWorld()
	for i := range 10 {
		s := pop3Login(w.open("t"+string(rune('0'+i)), wire.RolePOP3), "bob")
		if i != 0 {
			s.close()
		}
	}
	a = New(Options{MaxTotalLines: 30})
	for _, e := range w.events {
		a.Add(e)
	}
	if lines, _ := a.Lines("t0"); len(lines) == 0 {
		t.Error("the open session was forgotten")
	}
	if lines, _ := a.Lines("t1"); len(lines) != 0 {
		t.Error("the oldest closed session was kept past the bound")
	}
	if lines, _ := a.Lines("t9"); len(lines) == 0 {
		t.Error("the newest session was forgotten")
	}
	if a.lines > 30 {
		t.Errorf("%d lines kept, bound 30", a.lines)
	}
}
