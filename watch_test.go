package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The tests in this file point real mail programs at `mailtutor watch
// --plain` and read what it tells of each: the findings are worked out
// from the protocol model's facts on the wire, so each test checks the
// words a support person would read, for the behaviour the program was
// configured for.

// startWatch starts watch on free ports with a certificate the clients
// can trust.
func startWatch(t *testing.T, extra ...string) (*served, string) {
	t.Helper()
	cert, key := tlsFiles(t)
	return startMailtutor(t, "watch", append([]string{"--plain", "--tls-cert", cert, "--tls-key", key}, extra...)...), cert
}

// programFindings reads watch's findings blocks: for each program
// ("NAME, user U"), the findings printed for it, warnings marked "! ".
func programFindings(out string) map[string][]string {
	progs := map[string][]string{}
	current := ""
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "[findings] "):
			head := strings.TrimPrefix(l, "[findings] ")
			if i := strings.LastIndex(head, " (sessions "); i >= 0 {
				head = head[:i]
			}
			current = head
		case current != "" && (strings.HasPrefix(l, "  - ") || strings.HasPrefix(l, "  ! ")):
			progs[current] = append(progs[current], strings.TrimPrefix(strings.TrimPrefix(l, "  - "), "  "))
		case strings.HasPrefix(l, "      ["):
		default:
			current = ""
		}
	}
	return progs
}

// programWith returns the findings of the program whose heading ends with
// suffix (", user bob"), failing when there is none.
func programWith(t *testing.T, progs map[string][]string, suffix string) []string {
	t.Helper()
	for name, fs := range progs {
		if strings.HasSuffix(name, suffix) {
			return fs
		}
	}
	t.Fatalf("no program %q among %q", suffix, progs)
	return nil
}

// hasFinding tells whether one of the findings starts with prefix.
func hasFinding(fs []string, prefix string) bool {
	for _, f := range fs {
		if strings.HasPrefix(strings.TrimPrefix(f, "! "), prefix) {
			return true
		}
	}
	return false
}

// noEncryptionWarning fails if the findings say a password went in clear.
func noEncryptionWarning(t *testing.T, who string, fs []string) {
	t.Helper()
	for _, bad := range []string{"logged in without encryption", "tried AUTH before STARTTLS", "tried USER before STLS", "tried LOGIN before STARTTLS"} {
		if hasFinding(fs, bad) {
			t.Errorf("%s: %q among %q", who, bad, fs)
		}
	}
}

// TestWatchFetchmail: fetchmail with keep and uidl keeps the mail and
// remembers it by UIDL; without keep it deletes each message it
// downloaded. Both runs' programs are told apart by the user they log in
// as, as a help desk would see two configurations.
func TestWatchFetchmail(t *testing.T) {
	requireTool(t, "fetchmail")
	exportDir := t.TempDir()
	s, cert := startWatch(t, "--export", exportDir)
	deliver(t, s.addrs["mx"], "bob@example.org", "first from carol")
	home := t.TempDir()
	fetchmail(t, home, s.addrs["pop3"], "pop3 uidl", "bob", bobPass, "keep sslproto ''", 0)
	fetchmail(t, home, s.addrs["pop3"], "pop3 uidl", "bob", bobPass, fmt.Sprintf(`keep sslproto 'tls1.2+' sslcertck sslcertfile "%s"`, cert), 1)
	home2 := t.TempDir()
	fetchmail(t, home2, s.addrs["pop3s"], "pop3", "bob@example.org", bobPass, fmt.Sprintf(`fetchall ssl sslcertck sslcertfile "%s"`, cert), 0)

	s.waitFor(t, "uses POP3 and deletes each message after downloading it", "keeps mail on the server and remembers what it fetched by UIDL")
	out := settled(t, s)
	progs := programFindings(out)
	keep := programWith(t, progs, ", user bob")
	for _, want := range []string{"keeps mail on the server and remembers what it fetched by UIDL", "logged in without encryption"} {
		if !hasFinding(keep, want) {
			t.Errorf("fetchmail with keep: no %q among %q", want, keep)
		}
	}
	if hasFinding(keep, "uses POP3 and deletes") || hasFinding(keep, "downloaded") {
		t.Errorf("fetchmail with keep: %q", keep)
	}
	del := programWith(t, progs, ", user bob@example.org")
	if !hasFinding(del, "uses POP3 and deletes each message after downloading it") {
		t.Errorf("fetchmail without keep: %q", del)
	}
	noEncryptionWarning(t, "fetchmail over pop3s", del)
	// The evidence is the program's own lines, masked.
	if !strings.Contains(out, "] C: UIDL") || !strings.Contains(out, "] C: PASS ********") {
		t.Errorf("the findings' evidence lacks the UIDL or masked PASS lines:\n%s", out)
	}
	noSecrets(t, out)

	// The export of each program: its findings and its sessions, masked.
	files, _ := filepath.Glob(filepath.Join(exportDir, "*bob.md"))
	if len(files) != 1 {
		t.Fatalf("export files %q", files)
	}
	md := readFile(t, files[0])
	for _, want := range []string{"## Findings", "keeps mail on the server and remembers what it fetched by UIDL", "C: UIDL", "C: PASS ********", "    # "} {
		if !strings.Contains(md, want) {
			t.Errorf("the export lacks %q:\n%s", want, md)
		}
	}
	html := readFile(t, strings.TrimSuffix(files[0], ".md")+".html")
	if !strings.Contains(html, "<h2>Findings</h2>") {
		t.Errorf("the HTML export:\n%s", html)
	}
	noSecrets(t, md+html)
}

// TestWatchGetmail: getmail6 with read_all = false asks UIDL and keeps
// the mail, over implicit TLS.
func TestWatchGetmail(t *testing.T) {
	getmail := requireTool(t, "getmail")
	s, cert := startWatch(t)
	home := t.TempDir()
	maildir := filepath.Join(home, "maildir")
	for _, sub := range []string{"new", "cur", "tmp"} {
		os.MkdirAll(filepath.Join(maildir, sub), 0o777)
	}
	os.Chmod(home, 0o755)
	deliverAs := ""
	if os.Geteuid() == 0 {
		// getmail will not deliver as root: as nobody, who must reach the Maildir.
		deliverAs = "user = nobody\n"
		os.Chmod(filepath.Dir(home), 0o755)
		filepath.WalkDir(maildir, func(p string, _ os.DirEntry, _ error) error { return os.Chmod(p, 0o777) })
	}
	_, port := s.hostPort("pop3s")
	rc := filepath.Join(home, "getmailrc")
	writeFile(t, rc, fmt.Sprintf("[retriever]\ntype = SimplePOP3SSLRetriever\nserver = localhost\nport = %s\nusername = alice\npassword = %s\nca_certs = %s\n\n"+
		"[destination]\ntype = Maildir\npath = %s/\n%s\n[options]\nverbose = 1\nread_all = false\ndelete = false\n", port, alicePass, cert, maildir, deliverAs))
	for range 2 {
		tool{name: getmail, args: []string{"--getmaildir", home, "--rcfile", rc}, home: home}.mustRun(t, 0)
	}
	s.waitFor(t, "keeps mail on the server and remembers what it fetched by UIDL")
	out := settled(t, s)
	fs := programWith(t, programFindings(out), ", user alice")
	if !hasFinding(fs, "keeps mail on the server and remembers what it fetched by UIDL") || hasFinding(fs, "downloaded") {
		t.Errorf("getmail: %q", fs)
	}
	noEncryptionWarning(t, "getmail", fs)
	noSecrets(t, out)
}

// TestWatchNeomutt: neomutt lists the headers, fetches a body when a
// message is opened, and waits with IDLE.
func TestWatchNeomutt(t *testing.T) {
	neomutt := requireTool(t, "neomutt")
	s, cert := startWatch(t)
	home := t.TempDir()
	rc := filepath.Join(home, "neomuttrc")
	writeFile(t, rc, fmt.Sprintf(`set folder = "imap://alice@%s/"
set spoolfile = "+INBOX"
set imap_user = "alice"
set imap_pass = "%s"
set ssl_starttls = yes
set ssl_force_tls = yes
set certificate_file = "%s"
set ssl_verify_host = no
set imap_idle = yes
set mail_check = 1
set timeout = 1
set header_cache = ""
set message_cachedir = ""
set record = ""
set sort = date
set wait_key = no
set quit = yes
set beep_new = no
`, s.addrs["imap"], alicePass, cert))
	keys, screen := startTmux(t, 120, 30, "env", "HOME="+home, "TERM=xterm-256color", neomutt, "-n", "-F", rc)
	// Some runs of neomutt ask to accept the certificate and for the
	// password although both are configured, some do not: answer what is
	// asked, as a user would.
	for done := false; !done; {
		switch paneOf(t, screen, "accept (o)nce", "Password for alice", "Lunch on Friday") {
		case "accept (o)nce":
			keys("o")
			for strings.Contains(screen(), "accept (o)nce") { // the prompt may linger a moment
				time.Sleep(50 * time.Millisecond)
			}
		case "Password for alice":
			keys("wonderland", "Enter")
		default:
			done = true
		}
	}
	keys("Enter") // open the message under the cursor: its body is fetched now
	s.waitFor(t, "BODY.PEEK[]")
	keys("q") // back to the index
	// The findings appear while neomutt is still connected, idling.
	s.waitFor(t, " IDLE\n", "waits with IDLE", "asks for headers only, then bodies on demand")
	keys("q") // quit
	waitClosed(t, s, 1)
	out := settled(t, s)
	fs := programWith(t, programFindings(out), ", user alice")
	for _, want := range []string{"asks for headers only, then bodies on demand", "waits with IDLE"} {
		if !hasFinding(fs, want) {
			t.Errorf("neomutt: no %q among %q", want, fs)
		}
	}
	noEncryptionWarning(t, "neomutt", fs)
	noSecrets(t, out)
}

// waitClosed waits until watch has printed the end of n sessions, and
// returns its output. (A session's findings follow the line of its end.)
func waitClosed(t *testing.T, s *served, n int) string {
	t.Helper()
	return waitCount(t, s, " * [closed: ", n)
}

// settled returns watch's output once everything printed for the
// sessions so far is in it: a connection is opened and closed after them,
// and its end is printed after their findings.
func settled(t *testing.T, s *served) string {
	t.Helper()
	n := strings.Count(s.output(), " * [closed: ")
	c, err := net.Dial("tcp", s.addrs["mx"])
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return waitClosed(t, s, n+1)
}

// waitCount waits until watch has printed text at least n times, and
// returns its output.
func waitCount(t *testing.T, s *served, text string, n int) string {
	t.Helper()
	timer := time.AfterFunc(15*time.Second, func() {
		s.mu.Lock()
		s.ended = true
		s.changed.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		out := s.out.String()
		if strings.Count(out, text) >= n {
			return out
		}
		if s.ended {
			t.Fatalf("watch printed %q %d times, want %d:\n%s", text, strings.Count(out, text), n, out)
		}
		s.changed.Wait()
	}
}

// paneOf waits until the screen shows one of the texts, and returns the
// first one shown (in the order given).
func paneOf(t *testing.T, screen func(...string) string, texts ...string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pane := screen()
		for _, x := range texts {
			if strings.Contains(pane, x) {
				return x
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen shows none of %q:\n%s", texts, pane)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWatchImapflow: Node's imapflow sends ID and is named by it.
func TestWatchImapflow(t *testing.T) {
	node := requireTool(t, "node")
	if _, err := os.Stat("testdata/clients/node/node_modules/imapflow"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("imapflow is not installed; .ci/run must run npm ci in testdata/clients/node")
		}
		t.Skip("Node's mail clients are not installed: run npm ci --prefix testdata/clients/node")
	}
	s, _ := startWatch(t)
	host, submission := s.hostPort("submission")
	_, submissions := s.hostPort("submissions")
	_, imapPort := s.hostPort("imap")
	_, imaps := s.hostPort("imaps")
	runClient(t, node, "testdata/clients/node/clients.js", host, submission, submissions, imapPort, imaps)
	s.waitFor(t, "identified itself as imapflow")
	out := settled(t, s)
	var named []string
	idles := false
	for name, fs := range programFindings(out) {
		if strings.HasPrefix(name, "imapflow ") {
			named = append(named, name)
			if !hasFinding(fs, "identified itself as imapflow") {
				t.Errorf("%s: %q", name, fs)
			}
			idles = idles || hasFinding(fs, "waits with IDLE")
		}
	}
	if len(named) == 0 || !idles {
		t.Errorf("no program is named imapflow, or none of them idles (the script's reader does):\n%s", out)
	}
	noSecrets(t, out)
}

// TestWatchCurl: curl with --ssl-reqd raises no encryption warning; plain
// pop3:// logs in in clear, and so does smtp:// where the submission
// policy lets it (--plain-auth); pop3s:// without the certificate is told
// as a certificate the program did not trust.
func TestWatchCurl(t *testing.T) {
	curl := requireTool(t, "curl")
	s, cert := startWatch(t, "--plain-auth")
	pop3, pop3s, submission := s.addrs["pop3"], s.addrs["pop3s"], s.addrs["submission"]
	msg := filepath.Join(t.TempDir(), "msg.txt")
	writeFile(t, msg, "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: from curl\r\n\r\nhello\r\n")

	runClient(t, curl, "-sS", "--ssl-reqd", "--cacert", cert, "pop3://"+pop3+"/", "--user", "alice:"+alicePass)
	runClient(t, curl, "-sS", "--ssl-reqd", "--cacert", cert, "smtp://"+submission, "--mail-from", "alice@example.com",
		"--mail-rcpt", "bob@example.org", "--upload-file", msg, "--user", "alice:"+alicePass)
	runClient(t, curl, "-sS", "pop3://"+pop3+"/", "--user", "bob:"+bobPass)
	runClient(t, curl, "-sS", "smtp://"+submission, "--mail-from", "bob@example.org",
		"--mail-rcpt", "alice@example.com", "--upload-file", msg, "--user", "bob:"+bobPass)
	// Without the certificate: over implicit TLS, and after STLS.
	for _, args := range [][]string{{"pop3s://" + pop3s + "/"}, {"--ssl-reqd", "pop3://" + pop3 + "/"}} {
		if out, err := exec.Command(curl, append([]string{"-sS", "--user", "carol:nopass"}, args...)...).CombinedOutput(); err == nil {
			t.Fatalf("curl trusted the test certificate without --cacert:\n%s", out)
		}
	}

	// Every curl session has ended, and its program's findings are printed
	// (those of the last session follow the line of its end).
	waitClosed(t, s, 6)
	out := settled(t, s)
	progs := programFindings(out)
	refused := 0
	for _, fs := range progs {
		if hasFinding(fs, "the program did not trust the certificate: accept it after checking the fingerprint") {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("%d programs did not trust the certificate, want 2 (pop3s, and POP3 after STLS): %q", refused, progs)
	}
	for _, name := range []string{"POP3", "SMTP"} {
		var alice, bob []string
		for prog, fs := range progs {
			if !strings.Contains(prog, name) && !(name == "SMTP" && strings.Contains(prog, "EHLO")) {
				continue
			}
			switch {
			case strings.HasSuffix(prog, ", user alice"):
				alice = fs
			case strings.HasSuffix(prog, ", user bob"):
				bob = fs
			}
		}
		if alice == nil || bob == nil {
			t.Errorf("%s: the curl programs of alice and bob were not both found: %q", name, progs)
			continue
		}
		noEncryptionWarning(t, "curl --ssl-reqd "+name, alice)
		if !hasFinding(bob, "logged in without encryption") {
			t.Errorf("plain curl %s: no clear-login finding among %q", name, bob)
		}
	}
	if !strings.Contains(out, "accept it after checking the fingerprint (SHA-256 ") {
		t.Errorf("the certificate advice lacks the fingerprint:\n%s", out)
	}
	noSecrets(t, out)
}

// TestWatchPortTaken: a port in use is named, with the flag that moves it.
func TestWatchPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cmd := exec.Command(binary, "watch", "--plain", "--imap", l.Addr().String(), "--smtp", "127.0.0.1:0", "--submission", "127.0.0.1:0",
		"--pop3", "127.0.0.1:0", "--smtps", "127.0.0.1:0", "--pop3s", "127.0.0.1:0", "--imaps", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("watch started on a taken port:\n%s", out)
	}
	want := "port already in use: " + l.Addr().String() + " (imap, --imap)"
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), "move the listener with its flag") {
		t.Errorf("watch said:\n%s\nwant %q", out, want)
	}
}

// TestWatchSetupAndListen: --setup prints the card for the stable ports,
// with --listen's address when given; a listener's own flag wins over
// --listen.
func TestWatchSetupAndListen(t *testing.T) {
	state := t.TempDir()
	run := func(args ...string) (string, string) {
		cmd := exec.Command(binary, append([]string{"watch"}, args...)...)
		cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("watch %v: %v\n%s%s", args, err, stdout.String(), stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	card, _ := run("--setup")
	for _, want := range []string{"Thunderbird", "Outlook", "Apple Mail", "Android", "Any other program",
		"incoming IMAP: port 2993, connection security: SSL/TLS", "outgoing SMTP: port 2465, connection security: SSL/TLS",
		"incoming POP3: port 2995", "STARTTLS: incoming IMAP port 2143, POP3 port 2110, outgoing SMTP port 2587",
		"Server (incoming and outgoing): 127.0.0.1", "password wonderland", "SHA-256 "} {
		if !strings.Contains(card, want) {
			t.Errorf("the set-up card lacks %q:\n%s", want, card)
		}
	}
	lab, _ := run("--setup", "--listen", "192.0.2.7")
	if !strings.Contains(lab, "Server (incoming and outgoing): 192.0.2.7") || strings.Contains(lab, "this computer only") {
		t.Errorf("the card with --listen:\n%s", lab)
	}
	f := newWatchCmd()
	f.SetArgs([]string{"--listen", "192.0.2.7", "--imap", "127.0.0.1:0", "--setup"})
	var stdout strings.Builder
	f.SetOut(&stdout)
	t.Setenv("XDG_STATE_HOME", state)
	if err := f.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "incoming IMAP port 0,") || !strings.Contains(stdout.String(), "incoming IMAP: port 2993") {
		t.Errorf("--imap and --listen together:\n%s", stdout.String())
	}
	// --listen with a port is refused.
	cmd := exec.Command(binary, "watch", "--listen", "10.0.0.1:25")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "without a port") {
		t.Errorf("--listen with a port: %v\n%s", err, out)
	}
}

// TestWatchNotTerminal: with its output not a terminal (a pipe, a log
// file) watch prints lines as with --plain instead of drawing a screen.
func TestWatchNotTerminal(t *testing.T) {
	s := startMailtutor(t, "watch")
	pop3 := s.addrs["pop3"]
	if pop3 == "" {
		t.Fatalf("no banner with the addresses: %q", s.addrs)
	}
	c, err := net.Dial("tcp", pop3)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "QUIT\r\n")
	c.Close()
	s.waitFor(t, "C: QUIT")
}
