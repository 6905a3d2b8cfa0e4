package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The tests in this file drive `mailtutor serve` with the mail programs
// Debian packages (swaks, fetchmail, mutt, s-nail, openssl s_client),
// configured the way the README tells a learner to configure them. What
// they check is what the user would see: the mail arrives, kept mail stays
// on the server, the serve output shows the commands after STARTTLS in the
// clear, and no password is ever printed.

// The default users of the simulated world.
const (
	alicePass = "wonderland"
	bobPass   = "builder"
)

// secrets are the strings that must never appear in serve output: the
// passwords and the base64 forms clients send them in (AUTH PLAIN blobs,
// AUTH LOGIN answers).
var secrets = []string{
	alicePass, bobPass,
	base64.StdEncoding.EncodeToString([]byte(alicePass)),
	base64.StdEncoding.EncodeToString([]byte(bobPass)),
	base64.StdEncoding.EncodeToString([]byte("\x00alice\x00" + alicePass)),
	base64.StdEncoding.EncodeToString([]byte("\x00alice@example.com\x00" + alicePass)),
	base64.StdEncoding.EncodeToString([]byte("\x00bob\x00" + bobPass)),
	base64.StdEncoding.EncodeToString([]byte("\x00bob@example.org\x00" + bobPass)),
}

// tlsFiles writes a self-signed certificate for 127.0.0.1 and localhost and
// its key, so a test can start serve with --tls-cert/--tls-key and let the
// clients verify the server strictly, as a user who imported the
// certificate would.
func tlsFiles(t *testing.T) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"mailtutor tests"}, CommonName: "127.0.0.1"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certPath, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, keyPath, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	return certPath, keyPath
}

// startServeWithCert starts serve with a certificate the clients can trust.
func startServeWithCert(t *testing.T, extra ...string) (*served, string) {
	t.Helper()
	cert, key := tlsFiles(t)
	return startServe(t, append([]string{"--tls-cert", cert, "--tls-key", key}, extra...)...), cert
}

// writeFile writes a client's configuration; 0600 because fetchmail
// refuses a readable run-control file holding a password.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tool describes one run of a client program.
type tool struct {
	name  string   // the program, as found by requireTool
	args  []string // its arguments
	stdin string   // fed on standard input (empty: none)
	home  string   // HOME (and FETCHMAILHOME) so no user configuration is read; "" keeps the caller's
}

// run runs the client and returns its combined output and exit code. A
// client that hangs is killed after 20 s so the suite fails instead of
// hanging; the exit code is the caller's to judge (fetchmail answers 1 for
// "no new mail", swaks 24 for a refused recipient).
func (c tool) run(t *testing.T) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.name, c.args...)
	if c.stdin != "" {
		cmd.Stdin = strings.NewReader(c.stdin)
	}
	if c.home != "" {
		cmd.Env = append(os.Environ(), "HOME="+c.home, "FETCHMAILHOME="+c.home, "TERM=xterm")
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s %v did not finish:\n%s", c.name, c.args, out)
	}
	if err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return string(out), exit.ExitCode()
		}
		t.Fatalf("%s %v: %v", c.name, c.args, err)
	}
	return string(out), 0
}

// mustRun runs the client and fails the test unless it exits with want.
func (c tool) mustRun(t *testing.T, want int) string {
	t.Helper()
	out, code := c.run(t)
	if code != want {
		t.Fatalf("%s %v: exit code %d, want %d\n%s", c.name, c.args, code, want, out)
	}
	return out
}

// waitOutput waits until serve has printed every wanted line fragment and
// returns its output. serve prints events asynchronously, after the client
// may already have exited, and startServe offers no notification, so this
// polls the captured output until the lines are there (or 10 s pass and
// the test fails showing what was printed).
func waitOutput(t *testing.T, s *served, want ...string) string {
	t.Helper()
	return s.waitFor(t, want...)
}

// noSecrets fails if serve printed a password or its base64 form.
func noSecrets(t *testing.T, out string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("serve output shows the secret %q", s)
		}
	}
}

// sessionLines returns the event lines serve printed for the sessions
// one of whose lines ends with marker (e.g. "C: EHLO swaks-tls"), in order, without
// the annotation lines, so assertions can look at one client's exchange.
func sessionLines(out, marker string) []string {
	ids := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, marker) {
			if id, _, ok := strings.Cut(l, "]"); ok {
				ids[id] = true
			}
		}
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if id, _, ok := strings.Cut(l, "]"); ok && ids[id] && strings.HasPrefix(l, "[") {
			lines = append(lines, l)
		}
	}
	return lines
}

// --- the state of the world, read over real TCP by the test itself -------

// pop3Messages logs in to POP3 and returns every message in the maildrop,
// in order, as the server sends it (dot-unstuffed, CRLF turned into LF).
// It reads with TOP n 1000000, as fetchmail does in keep mode: unlike RETR,
// TOP does not mark messages \Seen, so the test disturbs neither
// fetchmail's nor IMAP's view of the mailbox.
func pop3Messages(t *testing.T, addr, user, pass string) []string {
	t.Helper()
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ok := func(format string, args ...any) string {
		t.Helper()
		if format != "" {
			if err := c.PrintfLine(format, args...); err != nil {
				t.Fatal(err)
			}
		}
		line, err := c.ReadLine()
		if err != nil || !strings.HasPrefix(line, "+OK") {
			t.Fatalf("POP3 %q: %q %v", format, line, err)
		}
		return line
	}
	ok("") // the greeting
	ok("USER %s", user)
	ok("PASS %s", pass)
	var n int
	fmt.Sscanf(ok("STAT"), "+OK %d", &n)
	var msgs []string
	for i := 1; i <= n; i++ {
		ok("TOP %d 1000000", i)
		lines, err := c.ReadDotLines()
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, strings.Join(lines, "\n"))
	}
	ok("QUIT")
	return msgs
}

// pop3Subjects returns the Subject of every message in the maildrop.
func pop3Subjects(t *testing.T, addr, user, pass string) []string {
	t.Helper()
	subjects := []string{}
	for _, m := range pop3Messages(t, addr, user, pass) {
		subjects = append(subjects, subjectOf(m))
	}
	return subjects
}

// subjectOf returns the Subject header of a message ("" if none).
func subjectOf(msg string) string {
	for _, h := range strings.Split(msg, "\n") {
		if h == "" {
			break
		}
		if s, found := strings.CutPrefix(h, "Subject: "); found {
			return s
		}
	}
	return ""
}

// deliver hands a message to the MX listener (no login needed for a local
// recipient), the way another mail server would.
func deliver(t *testing.T, mx, to, subject string) {
	t.Helper()
	c, err := smtp.Dial(mx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("sender.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("carol@sender.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(to); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "From: carol@sender.test\r\nTo: %s\r\nSubject: %s\r\n\r\nHello.\r\n", to, subject)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// --- swaks -----------------------------------------------------------------

// TestSwaks sends with swaks the ways a help-desk trainee tests a mail
// server: STARTTLS (with and without the certificate verified), implicit
// TLS, AUTH PLAIN and LOGIN, a pipelined transaction, and the refusals a
// server must give (open relay, no login, login before STARTTLS, wrong
// password).
func TestSwaks(t *testing.T) {
	swaks := requireTool(t, "swaks")
	s, cert := startServeWithCert(t)
	body := filepath.Join(t.TempDir(), "body.txt")
	writeFile(t, body, "First line.\n.a line starting with a dot\n..two dots\nLast line.\n")
	home := t.TempDir() // no ~/.swaksrc of the user's
	send := func(ehlo, server, subject string, extra ...string) tool {
		return tool{name: swaks, home: home, args: append([]string{"--server", server, "--ehlo", ehlo,
			"--from", "alice@example.com", "--header", "Subject: " + subject}, extra...)}
	}
	plainAuth := []string{"--auth", "PLAIN", "--auth-user", "alice", "--auth-password", alicePass}
	loginAuth := []string{"--auth", "LOGIN", "--auth-user", "alice@example.com", "--auth-password", alicePass}

	// AUTH PLAIN after STARTTLS (submission offers AUTH only over TLS).
	send("swaks-plain", s.addrs["submission"], "swaks plain", append(plainAuth, "--to", "bob@example.org", "--body", body, "--tls")...).mustRun(t, 0)
	// The same login without --tls: the EHLO list offers no AUTH, so swaks
	// gives up before sending a password.
	out, code := send("swaks-cleartext", s.addrs["submission"], "cleartext", append(plainAuth, "--to", "bob@example.org")...).run(t)
	if code == 0 || !strings.Contains(out, "Host did not advertise authentication") {
		t.Errorf("AUTH was offered before STARTTLS (exit %d):\n%s", code, out)
	}
	// STARTTLS, the certificate checked against the one serve was given.
	out = send("swaks-tls", s.addrs["submission"], "swaks starttls", append(loginAuth, "--to", "bob@example.org",
		"--tls", "--tls-verify", "--tls-ca-path", cert)...).mustRun(t, 0)
	if !strings.Contains(out, "=== TLS started") || !strings.Contains(out, "<~  235 ") {
		t.Errorf("swaks --tls did not log in over TLS:\n%s", out)
	}
	// Implicit TLS on the submissions port (465's job).
	send("swaks-tlsc", s.addrs["submissions"], "swaks implicit tls", append(plainAuth, "--to", "alice@example.com",
		"--tlsc", "--tls-verify", "--tls-ca-path", cert)...).mustRun(t, 0)
	// Pipelining: MAIL, both RCPTs and DATA go in one write, the replies
	// come back together.
	out = send("swaks-pipe", s.addrs["submission"], "swaks pipelined", append(loginAuth, "--to", "bob@example.org,alice@example.com",
		"--tls", "--pipeline")...).mustRun(t, 0)
	if !consecutiveLines(out, ` ~> MAIL FROM:<alice@example.com>`, ` ~> RCPT TO:<bob@example.org>`, ` ~> RCPT TO:<alice@example.com>`, ` ~> DATA`, `<~  250 `) {
		t.Errorf("swaks did not pipeline (commands before replies):\n%s", out)
	}

	// An outside sender relaying through the MX to an outside domain.
	out, code = tool{name: swaks, home: home, args: []string{"--server", s.addrs["mx"], "--ehlo", "swaks-relay",
		"--from", "spammer@spam.test", "--to", "victim@elsewhere.test"}}.run(t)
	if code == 0 || !strings.Contains(out, "<** 554 5.7.1") {
		t.Errorf("relay through the MX was not refused (exit %d):\n%s", code, out)
	}
	// Another server delivering through the MX, pipelined, a 1 MB
	// attachment, one recipient refused: the other still gets the mail.
	attachment := filepath.Join(home, "big.bin")
	writeFile(t, attachment, strings.Repeat("0123456789abcdef", 1<<16))
	out, _ = tool{name: swaks, home: home, args: []string{"--server", s.addrs["mx"], "--ehlo", "swaks-mx", "--pipeline",
		"--from", "carol@sender.test", "--to", "victim@elsewhere.test,bob@example.org", "--header", "Subject: swaks attachment",
		"--attach", "@" + attachment}}.run(t)
	if !strings.Contains(out, "<** 554 5.7.1 <victim@elsewhere.test>") || !strings.Contains(out, "<-  250 2.0.0 OK") {
		t.Errorf("pipelined delivery with one refused recipient:\n%s", lastLines(out, 12))
	}
	// The submission port without logging in.
	out, code = send("swaks-noauth", s.addrs["submission"], "no auth", "--to", "bob@example.org").run(t)
	if code == 0 || !strings.Contains(out, "<** 530 ") {
		t.Errorf("MAIL without AUTH on submission was not refused (exit %d):\n%s", code, out)
	}
	// A wrong password.
	out, code = send("swaks-badpw", s.addrs["submission"], "bad password", "--to", "bob@example.org", "--tls",
		"--auth", "LOGIN", "--auth-user", "alice", "--auth-password", "not-the-password").run(t)
	if code == 0 || !strings.Contains(out, "<~* 535 ") { // "~": the reply came inside TLS
		t.Errorf("a wrong password was accepted (exit %d):\n%s", code, out)
	}

	// The mail arrived, relayed from example.com to example.org for bob.
	bob := pop3Messages(t, s.addrs["pop3"], "bob", bobPass)
	var bobSubjects []string
	for _, m := range bob {
		bobSubjects = append(bobSubjects, subjectOf(m))
		if subjectOf(m) == "swaks plain" && !strings.Contains(m, "\n.a line starting with a dot\n..two dots\n") {
			t.Errorf("dot-stuffing was not undone:\n%s", m)
		}
	}
	for _, want := range []string{"swaks plain", "swaks starttls", "swaks pipelined", "swaks attachment"} {
		if count(bobSubjects, want) != 1 {
			t.Errorf("bob's maildrop %q lacks %q (once)", bobSubjects, want)
		}
	}
	alice := pop3Subjects(t, s.addrs["pop3"], "alice", alicePass)
	for _, want := range []string{"swaks implicit tls", "swaks pipelined"} {
		if count(alice, want) != 1 {
			t.Errorf("alice's maildrop %q lacks %q (once)", alice, want)
		}
	}
	for _, refused := range []string{"no auth", "cleartext", "bad password"} {
		if contains(bobSubjects, refused) {
			t.Errorf("refused message %q was delivered", refused)
		}
	}

	// What serve showed: the commands after STARTTLS in the clear, marked
	// (TLS); credentials masked.
	events := waitOutput(t, s, "(TLS) C: EHLO swaks-tls", "(TLS) C: EHLO swaks-tlsc", "S: 554 5.7.1", "C: EHLO swaks-badpw")
	tls := strings.Join(sessionLines(events, "C: EHLO swaks-tls"), "\n")
	for _, want := range []string{"] C: STARTTLS", "] S: 220 ", "(TLS) C: EHLO swaks-tls", "(TLS) C: AUTH LOGIN",
		"(TLS) C: ********", "(TLS) S: 235 ", "(TLS) C: RCPT TO:<bob@example.org>", "(TLS) S: 221 "} {
		if !strings.Contains(tls, want) {
			t.Errorf("the STARTTLS session lacks %q:\n%s", want, tls)
		}
	}
	plain := strings.Join(sessionLines(events, "C: EHLO swaks-plain"), "\n")
	if !strings.Contains(plain, "(TLS) C: AUTH PLAIN ********") || strings.Contains(plain, "] C: AUTH") {
		t.Errorf("the PLAIN session should log in inside TLS only:\n%s", plain)
	}
	clear := strings.Join(sessionLines(events, "C: EHLO swaks-cleartext"), "\n")
	if strings.Contains(clear, "AUTH") || !strings.Contains(clear, "S: 250-STARTTLS") {
		t.Errorf("the cleartext session offered or used AUTH, or did not offer STARTTLS:\n%s", clear)
	}
	noSecrets(t, events)
	if strings.Contains(events, "not-the-password") || strings.Contains(events, base64.StdEncoding.EncodeToString([]byte("not-the-password"))) {
		t.Error("serve printed a wrong password")
	}
}

// lastLines returns the last n lines of out (swaks prints a whole
// attachment in base64 before the replies that matter).
func lastLines(out string, n int) string {
	lines := strings.Split(out, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// consecutiveLines reports whether the lines of out contain the given prefixes
// in this order, one right after the other.
func consecutiveLines(out string, prefixes ...string) bool {
	lines := strings.Split(out, "\n")
	for i := range lines {
		j := 0
		for j < len(prefixes) && i+j < len(lines) && strings.HasPrefix(lines[i+j], prefixes[j]) {
			j++
		}
		if j == len(prefixes) {
			return true
		}
	}
	return false
}

// --- fetchmail -------------------------------------------------------------

// fetchmail runs fetchmail once over one poll entry, the way a user's
// ~/.fetchmailrc would hold it, delivering to the MDA `cat >> dir/mbox`.
// dir keeps the run-control file, the UIDL memory (fetchids) and the mbox
// from one run to the next, as a home directory would. It returns the
// verbose output; fetchmail exits 0 when it delivered mail, 1 when there
// was none. It polls "localhost" rather than 127.0.0.1: fetchmail checks
// the certificate's DNS names only, never its IP addresses.
func fetchmail(t *testing.T, dir, addr, proto, user, pass, options string, wantCode int) string {
	t.Helper()
	bin := requireTool(t, "fetchmail")
	_, port, _ := strings.Cut(addr, ":")
	rc := filepath.Join(dir, "fetchmailrc")
	writeFile(t, rc, fmt.Sprintf(`set no syslog
set idfile "%s/fetchids"
poll localhost service %s protocol %s
  user "%s" there with password "%s"
  options %s
  mda "cat >> %s/mbox"
`, dir, port, proto, user, pass, options, dir))
	return tool{name: bin, args: []string{"-f", rc, "-v"}, home: dir}.mustRun(t, wantCode)
}

// explainsLog feeds a client's own log, as a user would paste it, to
// mailtutor annotate: it must be read as that tool's format, every line
// placed, and the explanation must hold the wanted fragments.
func explainsLog(t *testing.T, log, format string, want ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), format+".log")
	writeFile(t, path, log)
	out := runClient(t, binary, "annotate", path)
	for _, w := range append([]string{"# format: " + format}, want...) {
		if !strings.Contains(out, w) {
			t.Errorf("mailtutor annotate of %s's log lacks %q:\n%s", format, w, out)
		}
	}
	for _, bad := range []string{"not understood", "not a valid", "untagged data"} {
		if strings.Contains(out, bad) {
			t.Errorf("mailtutor annotate of %s's log says %q:\n%s", format, bad, out)
		}
	}
}

// readFile returns a file's content ("" if it does not exist yet).
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// TestFetchmailPOP3 is the "leave a copy on the server" lesson done by a
// real client: with keep and uidl fetchmail downloads each message once,
// leaves it on the server, and a later run over STLS downloads nothing but
// what is new; without keep it deletes what it downloaded.
func TestFetchmailPOP3(t *testing.T) {
	requireTool(t, "fetchmail")
	s, cert := startServeWithCert(t)
	deliver(t, s.addrs["mx"], "bob@example.org", "first from carol")
	home := t.TempDir()
	mbox := filepath.Join(home, "mbox")
	plain := "keep sslproto ''" // no STLS: fetchmail would otherwise try it
	stls := fmt.Sprintf(`keep sslproto 'tls1.2+' sslcertck sslcertfile "%s"`, cert)

	out := fetchmail(t, home, s.addrs["pop3"], "pop3 uidl", "bob", bobPass, plain, 0)
	if !strings.Contains(out, "2 messages for bob") {
		t.Errorf("first run:\n%s", out)
	}
	explainsLog(t, out, "fetchmail", "[the message: not in this log]", "C: PASS ********")
	got := readFile(t, mbox)
	for _, want := range []string{"Subject: Welcome to the simulated mail world", "Subject: first from carol"} {
		if strings.Count(got, want) != 1 {
			t.Fatalf("the mbox holds %q %d times, want once:\n%s", want, strings.Count(got, want), got)
		}
	}
	// Second run, this time over STLS with the certificate verified: the
	// UIDs are remembered, nothing is new.
	out = fetchmail(t, home, s.addrs["pop3"], "pop3 uidl", "bob", bobPass, stls, 1)
	if !strings.Contains(out, "2 messages (2 seen) for bob") || !strings.Contains(out, "upgrade to TLS succeeded") {
		t.Errorf("second run:\n%s", out)
	}
	if readFile(t, mbox) != got {
		t.Error("the second run delivered again what the first had downloaded")
	}
	if n := len(pop3Subjects(t, s.addrs["pop3"], "bob", bobPass)); n != 2 {
		t.Errorf("keep left %d messages on the server, want 2", n)
	}
	// A new message: the third run downloads it, and only it.
	deliver(t, s.addrs["mx"], "bob@example.org", "second from carol")
	out = fetchmail(t, home, s.addrs["pop3"], "pop3 uidl", "bob", bobPass, stls, 0)
	if !strings.Contains(out, "3 messages (2 seen) for bob") {
		t.Errorf("third run:\n%s", out)
	}
	got = readFile(t, mbox)
	if strings.Count(got, "Subject: second from carol") != 1 || strings.Count(got, "Subject: first from carol") != 1 {
		t.Errorf("after the third run the mbox holds:\n%s", got)
	}

	// Without keep (fetchmail's default), over implicit TLS, everything is
	// downloaded and deleted from the server.
	home2 := t.TempDir()
	fetchmail(t, home2, s.addrs["pop3s"], "pop3", "bob@example.org", bobPass, fmt.Sprintf(`fetchall ssl sslcertck sslcertfile "%s"`, cert), 0)
	if n := strings.Count(readFile(t, filepath.Join(home2, "mbox")), "\nSubject: "); n != 3 {
		t.Errorf("the delete run delivered %d messages, want 3", n)
	}
	if left := pop3Subjects(t, s.addrs["pop3"], "bob", bobPass); len(left) != 0 {
		t.Errorf("without keep the server still holds %q", left)
	}

	events := waitOutput(t, s, "pop3s] (TLS) C: DELE 3", "pop3s] (TLS) C: QUIT")
	for _, want := range []string{"pop3] C: USER bob", "pop3] C: PASS ********", "pop3] C: UIDL", "pop3] C: STLS",
		"pop3] (TLS) C: USER bob", "pop3] (TLS) C: PASS ********", "pop3] (TLS) C: UIDL", "pop3s] (TLS) C: RETR 1"} {
		if !strings.Contains(events, want) {
			t.Errorf("serve output lacks %q", want)
		}
	}
	if strings.Contains(events, "pop3] C: DELE") || strings.Contains(events, "pop3] (TLS) C: DELE") {
		t.Error("fetchmail in keep mode deleted a message")
	}
	noSecrets(t, events)
}

// TestFetchmailIMAP fetches over IMAP: in keep mode fetchmail takes the
// unseen messages and marks them \Seen, so a second run finds nothing;
// without keep it deletes them (\Deleted and EXPUNGE).
func TestFetchmailIMAP(t *testing.T) {
	requireTool(t, "fetchmail")
	s, cert := startServeWithCert(t)
	home := t.TempDir()
	mbox := filepath.Join(home, "mbox")
	starttls := fmt.Sprintf(`keep sslproto 'tls1.2+' sslcertck sslcertfile "%s"`, cert)

	out := fetchmail(t, home, s.addrs["imap"], "imap", "alice", alicePass, starttls, 0)
	if !strings.Contains(out, "3 messages for alice") {
		t.Errorf("first run:\n%s", out)
	}
	explainsLog(t, out, "fetchmail", "[TLS: TLS 1.", "the log leaves the literal's bytes out")
	got := readFile(t, mbox)
	for _, want := range []string{"Subject: Lunch on Friday?", "Subject: Invoice for November"} {
		if strings.Count(got, want) != 1 {
			t.Fatalf("the mbox holds %q %d times, want once:\n%s", want, strings.Count(got, want), got)
		}
	}
	fetchmail(t, home, s.addrs["imap"], "imap", "alice", alicePass, starttls, 1)
	deliver(t, s.addrs["mx"], "alice@example.com", "new for alice")
	fetchmail(t, home, s.addrs["imap"], "imap", "alice", alicePass, starttls, 0)
	got = readFile(t, mbox)
	if strings.Count(got, "Subject: new for alice") != 1 || strings.Count(got, "Subject: Lunch on Friday?") != 1 {
		t.Errorf("after the third run the mbox holds:\n%s", got)
	}
	if n := len(pop3Subjects(t, s.addrs["pop3"], "alice", alicePass)); n != 4 {
		t.Errorf("keep left %d messages on the server, want 4", n)
	}

	// Without keep, over implicit TLS: all four fetched, then expunged.
	home2 := t.TempDir()
	fetchmail(t, home2, s.addrs["imaps"], "imap", "alice@example.com", alicePass, fmt.Sprintf(`fetchall ssl sslcertck sslcertfile "%s"`, cert), 0)
	if n := strings.Count(readFile(t, filepath.Join(home2, "mbox")), "\nSubject: "); n != 4 {
		t.Errorf("the delete run delivered %d messages, want 4", n)
	}
	if left := pop3Subjects(t, s.addrs["pop3"], "alice", alicePass); len(left) != 0 {
		t.Errorf("without keep the server still holds %q", left)
	}

	events := waitOutput(t, s, "imaps] (TLS) C: A0021 LOGOUT")
	for _, want := range []string{"imap] C: A0001 STARTTLS", `imap] (TLS) C: A0003 LOGIN "alice" ********`,
		"imap] (TLS) C: A0005 SEARCH UNSEEN UNDELETED", `imap] (TLS) C: A0009 STORE 1 +FLAGS (\Seen)`,
		`imaps] (TLS) C: A0001 LOGIN "alice@example.com" ********`, `imaps] (TLS) C: A0019 STORE 1 +FLAGS (\Seen \Deleted)`,
		"imaps] (TLS) C: A0020 EXPUNGE"} {
		if !strings.Contains(events, want) {
			t.Errorf("serve output lacks %q", want)
		}
	}
	if strings.Contains(strings.Join(sessionLines(events, "C: A0003 LOGIN \"alice\" ********"), "\n"), "EXPUNGE") {
		t.Error("fetchmail in keep mode expunged")
	}
	noSecrets(t, events)
}

// --- mutt ------------------------------------------------------------------

// muttrc writes a muttrc for alice the way the README's settings table
// reads: SMTP submission with STARTTLS or implicit TLS, IMAP with STARTTLS,
// the server's certificate trusted through certificate_file. commands are
// appended (push lines drive the index non-interactively).
func muttrc(t *testing.T, dir string, s *served, cert, smtpURL string, commands ...string) string {
	t.Helper()
	rc := filepath.Join(dir, "muttrc")
	writeFile(t, rc, fmt.Sprintf(`set from = "alice@example.com"
set realname = "Alice"
set use_from = yes
set record = ""
set smtp_url = "%s"
set smtp_pass = "%s"
set folder = "imap://alice@%s/"
set spoolfile = "+INBOX"
set imap_pass = "%s"
set ssl_starttls = yes
set ssl_force_tls = yes
set certificate_file = "%s"
set header_cache = ""
set mail_check_stats = no
set wait_key = no
set sleep_time = 0
set pipe_split = yes
set delete = yes
set quit = yes
set confirmappend = no
%s
`, smtpURL, alicePass, s.addrs["imap"], alicePass, cert, strings.Join(commands, "\n")))
	return rc
}

// TestMutt sends with mutt over STARTTLS and implicit TLS, then reads and
// deletes over IMAP. Sending runs in batch mode; reading needs mutt's
// index, so it runs in a pseudo-terminal (script) with its keys pushed
// from the muttrc.
func TestMutt(t *testing.T) {
	mutt := requireTool(t, "mutt")
	script := requireTool(t, "script")
	s, cert := startServeWithCert(t)
	home := t.TempDir()

	send := func(smtpURL, to, subject string) {
		rc := muttrc(t, home, s, cert, smtpURL)
		tool{name: mutt, args: []string{"-n", "-F", rc, "-s", subject, to}, stdin: "Sent by mutt.\n", home: home}.mustRun(t, 0)
	}
	send("smtp://alice@"+s.addrs["submission"]+"/", "bob@example.org", "mutt starttls")
	send("smtps://alice%40example.com@"+s.addrs["submissions"]+"/", "alice@example.com", "mutt smtps")
	if got := pop3Subjects(t, s.addrs["pop3"], "bob", bobPass); !contains(got, "mutt starttls") {
		t.Errorf("bob's maildrop lacks mutt's message: %q", got)
	}

	// Read: tag every message in the INBOX and pipe each to a file.
	piped := filepath.Join(home, "piped")
	rc := muttrc(t, home, s, cert, "", fmt.Sprintf(`push "<tag-pattern>~A<enter><tag-prefix><pipe-message>cat >> %s<enter><quit>"`, piped))
	tool{name: script, args: []string{"-qec", "mutt -n -F " + rc, "/dev/null"}, home: home}.mustRun(t, 0)
	got := readFile(t, piped)
	for _, want := range []string{"Subject: Lunch on Friday?", "Subject: Invoice for November", "Subject: mutt smtps", "Sent by mutt."} {
		if !strings.Contains(got, want) {
			t.Errorf("mutt piped no %q:\n%s", want, got)
		}
	}
	// Delete the invoice and sync: \Deleted, then EXPUNGE.
	rc = muttrc(t, home, s, cert, "", `push "<tag-pattern>~s Invoice<enter><tag-prefix><delete-message><sync-mailbox><quit>"`)
	tool{name: script, args: []string{"-qec", "mutt -n -F " + rc, "/dev/null"}, home: home}.mustRun(t, 0)
	left := pop3Subjects(t, s.addrs["pop3"], "alice", alicePass)
	if contains(left, "Invoice for November") || len(left) != 3 {
		t.Errorf("after mutt deleted the invoice alice's maildrop holds %q", left)
	}

	events := waitOutput(t, s, "EXPUNGE completed")
	for _, want := range []string{"submission] C: STARTTLS", "submission] (TLS) C: AUTH PLAIN ********",
		"submissions] (TLS) C: AUTH PLAIN ********", "imap] C: a0000 STARTTLS", "imap] (TLS) C: a0002 AUTHENTICATE PLAIN ********",
		`+FLAGS.SILENT (\Deleted)`} {
		if !strings.Contains(events, want) {
			t.Errorf("serve output lacks %q", want)
		}
	}
	noSecrets(t, events)
}

// --- s-nail ----------------------------------------------------------------

// snail runs s-nail with a ~/.mailrc holding the account settings a user
// would write (v15-compat URLs, passwords in password-USER@HOST:PORT
// variables, the server's certificate as the only trusted one) plus extra
// lines; stdin holds batch commands or the message body.
func snail(t *testing.T, home, cert, stdin string, extra []string, args ...string) string {
	t.Helper()
	bin := requireTool(t, "s-nail")
	rc := filepath.Join(home, "mailrc")
	writeFile(t, rc, strings.Join(append([]string{
		"set v15-compat",
		"set from=alice@example.com",
		"set tls-ca-file=" + cert,
		"set tls-ca-no-defaults",
		"set sendwait",
		"set DEAD=" + filepath.Join(home, "dead.letter"),
	}, extra...), "\n")+"\n")
	c := tool{name: bin, args: append([]string{"-:u"}, args...), stdin: stdin, home: home}
	out, code := c.run(t)
	if code != 0 {
		t.Fatalf("s-nail %v: exit %d\n%s", args, code, out)
	}
	return out
}

// TestSNail sends with s-nail over SMTPS (AUTH PLAIN) and STARTTLS (AUTH
// LOGIN), lists POP3 and IMAP folders with -H, and in batch mode (-#)
// deletes over POP3 and copies between IMAP folders.
func TestSNail(t *testing.T) {
	requireTool(t, "s-nail")
	s, cert := startServeWithCert(t)
	home := t.TempDir()
	t.Setenv("MAILRC", filepath.Join(home, "mailrc")) // s-nail finds ~ through passwd, not $HOME

	account := func(role, scheme string) []string {
		addr := s.addrs[role]
		return []string{"set password-alice@" + addr + "=" + alicePass, "set password-bob@" + addr + "=" + bobPass,
			"set mta=" + scheme + "://alice@" + addr}
	}
	snail(t, home, cert, "Sent by s-nail over SMTPS.\n", append(account("submissions", "smtps"), "set smtp-auth=plain"),
		"-s", "s-nail smtps", "bob@example.org")
	snail(t, home, cert, "Sent by s-nail with STARTTLS.\n", append(account("submission", "smtp"), "set smtp-auth=login", "set smtp-use-starttls"),
		"-s", "s-nail starttls", "bob@example.org", "alice@example.com")

	// Header summaries, as `s-nail -H -f URL` prints them.
	out := snail(t, home, cert, "", append(account("pop3", "smtp"), "set pop3-use-starttls"), "-H", "-f", "pop3://bob@"+s.addrs["pop3"])
	for _, want := range []string{"Welcome to the simulated", "s-nail smtps", "s-nail starttls"} {
		if !strings.Contains(out, want) {
			t.Errorf("s-nail -H over POP3 lacks %q:\n%s", want, out)
		}
	}
	out = snail(t, home, cert, "", account("imaps", "smtp"), "-H", "-f", "imaps://alice@"+s.addrs["imaps"])
	for _, want := range []string{"Lunch on Friday?", "Invoice for November", "s-nail starttls"} {
		if !strings.Contains(out, want) {
			t.Errorf("s-nail -H over IMAPS lacks %q:\n%s", want, out)
		}
	}

	// Batch mode: delete bob's first message over POP3 (DELE, then QUIT).
	snail(t, home, cert, "delete 1\nquit\n", append(account("pop3", "smtp"), "set pop3-use-starttls"), "-#", "-f", "pop3://bob@"+s.addrs["pop3"])
	if got := pop3Subjects(t, s.addrs["pop3"], "bob", bobPass); len(got) != 2 || contains(got, "Welcome to the simulated mail world") {
		t.Errorf("after s-nail deleted message 1 bob's maildrop holds %q", got)
	}
	// Batch mode over IMAP with STARTTLS: copy alice's first message to Archive.
	imap := append(account("imap", "smtp"), "set imap-use-starttls", "set folder=imap://alice@"+s.addrs["imap"])
	snail(t, home, cert, "copy 1 +Archive\nquit\n", imap, "-#", "-f", "+INBOX")
	out = snail(t, home, cert, "", imap, "-H", "-f", "+Archive")
	if !strings.Contains(out, "Lunch on Friday?") {
		t.Errorf("Archive after s-nail's copy:\n%s", out)
	}

	events := waitOutput(t, s, `(TLS) C: T4 EXAMINE "Archive"`)
	for _, want := range []string{"submissions] (TLS) C: AUTH PLAIN", "submissions] (TLS) S: 334 ", "submission] C: STARTTLS",
		"submission] (TLS) C: AUTH LOGIN", "pop3] C: STLS", "pop3] (TLS) C: APOP bob ********", "pop3] (TLS) C: DELE 1", "imap] C: T1 STARTTLS",
		`imap] (TLS) C: T7 UID COPY 1 "Archive"`, `imaps] (TLS) C: T2 LOGIN "alice" ********`} {
		if !strings.Contains(events, want) {
			t.Errorf("serve output lacks %q", want)
		}
	}
	noSecrets(t, events)
}

// --- openssl s_client ----------------------------------------------------------

// TestOpenSSLStartTLS scripts a whole session per protocol through
// `openssl s_client -starttls`, the help desk's way to see a TLS server's
// replies: the commands go on stdin (s_client turns LF into CRLF with
// -crlf), the decrypted replies come back on stdout, and the server's
// certificate is verified against the one serve was given.
func TestOpenSSLStartTLS(t *testing.T) {
	openssl := requireTool(t, "openssl")
	s, cert := startServeWithCert(t)
	session := func(proto, addr, commands string) string {
		// -quiet also keeps the session open after stdin ends, until the
		// server closes it in answer to QUIT/LOGOUT.
		return tool{name: openssl, args: []string{"s_client", "-connect", addr, "-starttls", proto, "-crlf", "-quiet",
			"-CAfile", cert, "-verify_return_error", "-verify_ip", "127.0.0.1"}, stdin: commands}.mustRun(t, 0)
	}

	plain := base64.StdEncoding.EncodeToString([]byte("\x00bob@example.org\x00" + bobPass))
	out := session("smtp", s.addrs["submission"], "EHLO openssl.test\nAUTH PLAIN "+plain+
		"\nMAIL FROM:<bob@example.org>\nRCPT TO:<alice@example.com>\nDATA\nSubject: via openssl\n\nHello Alice.\n..dot\n.\nQUIT\n")
	for _, want := range []string{"250-Hello openssl.test", "250-AUTH PLAIN LOGIN", "235 2.0.0", "354 ", "250 2.0.0 OK", "221 2.0.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("SMTP over STARTTLS: no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "250-STARTTLS") {
		t.Errorf("STARTTLS still offered after TLS started:\n%s", out)
	}

	out = session("pop3", s.addrs["pop3"], "CAPA\nUSER alice\nPASS "+alicePass+"\nSTAT\nUIDL\nTOP 4 0\nQUIT\n")
	for _, want := range []string{"+OK send PASS", "+OK 4 ", "4 ", "Subject: via openssl", "signing off"} {
		if !strings.Contains(out, want) {
			t.Errorf("POP3 over STLS: no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "\nSTLS") {
		t.Errorf("STLS still offered after TLS started:\n%s", out)
	}

	out = session("imap", s.addrs["imap"], "a1 CAPABILITY\na2 LOGIN bob "+bobPass+
		"\na3 SELECT INBOX\na4 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\na5 LOGOUT\n")
	for _, want := range []string{"a1 OK", "a2 OK", "* 1 EXISTS", "a3 OK [READ-WRITE]", "Subject: Welcome to the simulated mail world", "* BYE", "a5 OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("IMAP over STARTTLS: no %q in\n%s", want, out)
		}
	}

	// The message arrived with its dot-stuffed line restored.
	for _, m := range pop3Messages(t, s.addrs["pop3"], "alice", alicePass) {
		if subjectOf(m) == "via openssl" && !strings.Contains(m, "\nHello Alice.\n.dot") {
			t.Errorf("the message from openssl:\n%s", m)
		}
	}

	events := waitOutput(t, s, "(TLS) C: QUIT", "(TLS) C: a5 LOGOUT", "(TLS) S: a5 OK")
	for _, want := range []string{
		"submission] C: STARTTLS", "submission] (TLS) C: EHLO openssl.test", "submission] (TLS) C: AUTH PLAIN ********",
		"submission] (TLS) C: MAIL FROM:<bob@example.org>",
		"pop3] C: STLS", "pop3] (TLS) C: USER alice", "pop3] (TLS) C: PASS ********", "pop3] (TLS) C: TOP 4 0",
		"imap] C: . STARTTLS", "imap] (TLS) C: a2 LOGIN bob ********", "imap] (TLS) C: a4 FETCH 1",
	} {
		if !strings.Contains(events, want) {
			t.Errorf("serve output lacks %q", want)
		}
	}
	noSecrets(t, events)
}

// TestSwaksPlainAuth runs serve with --plain-auth and with the plain-auth
// fault: submission offers AUTH before STARTTLS again, as old servers did,
// and swaks logs in without encryption (serve shows it, password masked,
// unmarked by (TLS)).
func TestSwaksPlainAuth(t *testing.T) {
	swaks := requireTool(t, "swaks")
	for _, flag := range []string{"--plain-auth", "--fault=plain-auth"} {
		t.Run(flag, func(t *testing.T) {
			s := startServe(t, flag)
			home := t.TempDir()
			tool{name: swaks, home: home, args: []string{"--server", s.addrs["submission"], "--from", "alice@example.com",
				"--to", "bob@example.org", "--ehlo", "swaks-cleartext", "--auth", "PLAIN", "--auth-user", "alice",
				"--auth-password", alicePass}}.mustRun(t, 0)
			events := waitOutput(t, s, "C: AUTH PLAIN ********", "C: QUIT")
			clear := strings.Join(sessionLines(events, "C: EHLO swaks-cleartext"), "\n")
			for _, want := range []string{"S: 250-AUTH PLAIN LOGIN", "] C: AUTH PLAIN ********", "S: 235 "} {
				if !strings.Contains(clear, want) {
					t.Errorf("the clear-text session lacks %q:\n%s", want, clear)
				}
			}
			if strings.Contains(clear, "(TLS)") {
				t.Errorf("the clear-text session went through TLS:\n%s", clear)
			}
			noSecrets(t, events)
		})
	}
}

// TestRequireTLSCoversPOP3AndIMAP runs serve with --require-tls: POP3 and
// IMAP, which take a clear-text login by default, refuse it before
// STLS/STARTTLS too; with TLS the same logins work.
func TestRequireTLSCoversPOP3AndIMAP(t *testing.T) {
	curl := requireTool(t, "curl")
	s := startServe(t, "--require-tls")
	for _, url := range []string{"pop3://" + s.addrs["pop3"] + "/", "imap://" + s.addrs["imap"] + "/"} {
		if out, err := exec.Command(curl, "-sS", "--url", url, "--user", "bob:"+bobPass).CombinedOutput(); err == nil {
			t.Errorf("%s: a clear-text login was accepted under --require-tls:\n%s", url, out)
		}
		runClient(t, curl, "-sS", "--ssl-reqd", "-k", "--url", url, "--user", "bob:"+bobPass)
	}
}

// Node's most used mail clients: nodemailer sends over STARTTLS and over
// implicit TLS (its AUTH of choice, a UTF-8 subject, an attachment, a lone
// dot in the text), and imapflow, a strict parser, reads it as bob: the
// capabilities and special-use folders, ENVELOPE and BODYSTRUCTURE, flags
// with a keyword, SEARCH, MOVE with COPYUID, IDLE woken by new mail, and
// STATUS over implicit TLS. .ci/run installs them from the npm registry
// (testdata/clients/node/package-lock.json).
func TestNodeClients(t *testing.T) {
	node := requireTool(t, "node")
	if _, err := os.Stat("testdata/clients/node/node_modules/imapflow"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("imapflow is not installed; .ci/run must run npm ci in testdata/clients/node")
		}
		t.Skip("Node's mail clients are not installed: run npm ci --prefix testdata/clients/node")
	}
	s := startServe(t)
	host, submission := s.hostPort("submission")
	_, submissions := s.hostPort("submissions")
	_, imapPort := s.hostPort("imap")
	_, imaps := s.hostPort("imaps")
	out := runClient(t, node, "testdata/clients/node/clients.js", host, submission, submissions, imapPort, imaps)
	for _, want := range []string{
		"SENT 250 2.0.0 OK: queued as 00000001",
		"SECURE true", // imapflow upgraded with STARTTLS on its own
		"SPECIALUSE \\Archive \\Drafts \\Inbox \\Junk \\Sent \\Trash",
		"SUBJECT Grüße from nodemailer ✓",
		"FROM alice@example.com",
		"PARTS multipart/alternative text/plain",
		"RECEIVED 2", // submission, then the relay hop to example.org's MX
		"LONEDOT true",
		"FLAGS $Important \\Seen",
		"FROMSEARCH true",
		"MOVED Archive 1",
		"IDLEEXISTS INBOX 1->2",
		"ARCHIVE 1",
		"DONE ok",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("the Node clients' output lacks %q:\n%s", want, out)
		}
	}
	// imapflow numbers its tags itself (more commands as the server offers
	// more): look for the IDLE exchange, not a tag.
	s.waitFor(t, " IDLE\n", "S: + idling", "C: DONE", "C: AUTH PLAIN ********")
}

// --- msmtp and mbsync --------------------------------------------------------

// TestMsmtp sends with msmtp, the sendmail stand-in of many Linux systems,
// over STARTTLS on the submission port and over implicit TLS, pipelining
// MAIL, RCPT and DATA, a lone dot in the body. Its debug log (-d), the kind
// a help desk is sent, is then read back by mailtutor annotate.
func TestMsmtp(t *testing.T) {
	msmtp := requireTool(t, "msmtp")
	s, cert := startServeWithCert(t)
	home := t.TempDir()
	account := func(name, addr string, starttls bool) string {
		host, port, _ := strings.Cut(addr, ":")
		return fmt.Sprintf("account %s\nhost %s\nport %s\nauth on\nuser alice\npassword %s\ntls on\ntls_starttls %s\ntls_trust_file %s\ntls_host_override localhost\nfrom alice@example.com\n\n",
			name, host, port, alicePass, map[bool]string{true: "on", false: "off"}[starttls], cert)
	}
	rc := filepath.Join(home, "msmtprc")
	writeFile(t, rc, account("starttls", s.addrs["submission"], true)+account("tls", s.addrs["submissions"], false))
	msg := "From: alice@example.com\nTo: bob@example.org\nSubject: via msmtp %s\n\nHello Bob,\n.\na lone dot above.\n"
	log := tool{name: msmtp, args: []string{"-C", rc, "-a", "starttls", "-d", "bob@example.org"}, stdin: fmt.Sprintf(msg, "starttls"), home: home}.mustRun(t, 0)
	tool{name: msmtp, args: []string{"-C", rc, "-a", "tls", "bob@example.org"}, stdin: fmt.Sprintf(msg, "tls"), home: home}.mustRun(t, 0)

	msgs := pop3Messages(t, s.addrs["pop3"], "bob", "builder")
	var got []string
	for _, m := range msgs {
		if strings.HasPrefix(subjectOf(m), "via msmtp") {
			got = append(got, subjectOf(m))
			if !strings.Contains(m, "Hello Bob,\n.\na lone dot above.") {
				t.Errorf("the lone dot did not survive:\n%s", m)
			}
		}
	}
	if strings.Join(got, ",") != "via msmtp starttls,via msmtp tls" {
		t.Errorf("bob received %q", got)
	}
	events := waitOutput(t, s, "submission] (TLS) C: AUTH PLAIN ********", "submissions] (TLS) C: AUTH PLAIN ********")
	noSecrets(t, events)

	// The debug log, as a user would paste it, explained.
	path := filepath.Join(home, "msmtp.log")
	writeFile(t, path, log)
	out := runClient(t, binary, "annotate", path)
	for _, want := range []string{"# format: msmtp", "[TLS: TLS 1.", "C: AUTH PLAIN ********", "logged in as alice", "S: 221 "} {
		if !strings.Contains(out, want) {
			t.Errorf("mailtutor annotate of msmtp's log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not understood") || strings.Contains(out, "AGFsaWNl") {
		t.Errorf("mailtutor annotate of msmtp's log:\n%s", out)
	}
}

// TestMbsync mirrors alice's mailboxes with mbsync (isync), a strict IMAP
// client that keeps a local Maildir in step both ways: it downloads every
// folder, then uploads a local draft (APPEND with flags), pushes a flag
// and a deletion (UID STORE, EXPUNGE), and a second run finds nothing to do.
func TestMbsync(t *testing.T) {
	mbsync := requireTool(t, "mbsync")
	s, cert := startServeWithCert(t)
	home := t.TempDir()
	local := filepath.Join(home, "mail")
	os.MkdirAll(local, 0o700)
	_, port, _ := strings.Cut(s.addrs["imap"], ":")
	rc := filepath.Join(home, "mbsyncrc")
	writeFile(t, rc, fmt.Sprintf(`IMAPAccount alice
Host localhost
Port %s
User alice
Pass %s
SSLType STARTTLS
CertificateFile %s

IMAPStore remote
Account alice

MaildirStore local
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel alice
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
`, port, alicePass, cert, local, local)) // Host localhost: the name the certificate carries
	sync := func() string {
		return tool{name: mbsync, args: []string{"-c", rc, "-V", "alice"}, home: home}.mustRun(t, 0)
	}
	sync()
	inbox := maildirFiles(t, filepath.Join(local, "INBOX"))
	if len(inbox) != 3 {
		t.Fatalf("mbsync fetched %d INBOX messages, want 3: %v", len(inbox), inbox)
	}
	for _, box := range []string{"Sent", "Drafts", "Trash", "Junk", "Archive"} {
		if _, err := os.Stat(filepath.Join(local, box)); err != nil {
			t.Errorf("mailbox %s was not mirrored: %v", box, err)
		}
	}

	// Locally: flag one message, trash another, write a draft.
	first, second := inbox[0], inbox[1]
	os.Rename(first, maildirWithFlags(first, "F"))
	os.Rename(second, maildirWithFlags(second, "T"))
	os.MkdirAll(filepath.Join(local, "Drafts", "new"), 0o700)
	writeFile(t, filepath.Join(local, "Drafts", "new", "1.local:2,D"), "From: alice@example.com\nTo: bob@example.org\nSubject: drafted offline\n\nto finish later\n")
	time.Sleep(1100 * time.Millisecond) // mbsync waits out a Maildir changed within the last second
	sync()

	subjects := pop3Subjects(t, s.addrs["pop3"], "alice", alicePass)
	if len(subjects) != 2 {
		t.Errorf("after the deletion the server's INBOX holds %q, want 2 messages", subjects)
	}
	events := waitOutput(t, s, `+FLAGS.SILENT (\Deleted)`, `APPEND "Drafts" (\Draft)`)
	for _, want := range []string{`+FLAGS.SILENT (\Flagged)`, `+FLAGS.SILENT (\Deleted)`, "S: * 1 EXISTS"} {
		if !strings.Contains(events, want) {
			t.Errorf("serve output lacks %q", want)
		}
	}
	noSecrets(t, events)
	// A third run, with nothing to do, its network debug log explained.
	out := tool{name: mbsync, args: []string{"-c", rc, "-Dn", "alice"}, home: home}.mustRun(t, 0)
	if strings.Contains(out, "Error") {
		t.Errorf("a third run, with nothing to do:\n%s", out)
	}
	path := filepath.Join(home, "mbsync.log")
	writeFile(t, path, out)
	explained := runClient(t, binary, "annotate", path)
	for _, want := range []string{"# format: mbsync", "[TLS: ", "C: 3 AUTHENTICATE PLAIN ********", "logged in"} {
		if !strings.Contains(explained, want) {
			t.Errorf("mailtutor annotate of mbsync's log lacks %q:\n%s", want, explained)
		}
	}
	if strings.Contains(explained, "not understood") || strings.Contains(explained, "not a valid IMAP response") {
		t.Errorf("mailtutor annotate of mbsync's log:\n%s", explained)
	}
}

// maildirFiles lists the messages of a Maildir folder (new and cur).
func maildirFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			files = append(files, filepath.Join(dir, sub, e.Name()))
		}
	}
	return files
}

// maildirWithFlags moves a Maildir message to cur/ with the given flags
// (F flagged, T trashed, S seen), as a mail program does.
func maildirWithFlags(path, flags string) string {
	dir := filepath.Dir(filepath.Dir(path))
	name := filepath.Base(path)
	if i := strings.Index(name, ":2,"); i >= 0 {
		name = name[:i]
	}
	return filepath.Join(dir, "cur", name+":2,"+flags)
}

// --- getmail and offlineimap -------------------------------------------------

// TestGetmail leaves mail on the POP3 server the way the "leave a copy"
// lesson teaches: getmail 6 over POP3S remembers each message's UIDL, so a
// second run fetches nothing, a third only the new message; a run with
// delete = true then empties the maildrop.
func TestGetmail(t *testing.T) {
	getmail := requireTool(t, "getmail")
	s, cert := startServeWithCert(t, "--pop3s", "127.0.0.1:0")
	home := t.TempDir()
	maildir := filepath.Join(home, "maildir")
	for _, sub := range []string{"new", "cur", "tmp"} {
		os.MkdirAll(filepath.Join(maildir, sub), 0o777)
	}
	os.Chmod(home, 0o755)
	_, port, _ := strings.Cut(s.addrs["pop3s"], ":")
	deliverAs := ""
	if os.Geteuid() == 0 {
		// getmail will not deliver as root: as nobody, who must reach the Maildir.
		deliverAs = "user = nobody\n"
		os.Chmod(filepath.Dir(home), 0o755)
		filepath.WalkDir(maildir, func(p string, _ os.DirEntry, _ error) error { return os.Chmod(p, 0o777) })
	}
	rc := func(del bool) string {
		path := filepath.Join(home, fmt.Sprintf("getmailrc-%v", del))
		writeFile(t, path, fmt.Sprintf("[retriever]\ntype = SimplePOP3SSLRetriever\nserver = localhost\nport = %s\nusername = alice\npassword = %s\nca_certs = %s\n\n"+
			"[destination]\ntype = Maildir\npath = %s/\n%s\n[options]\nverbose = 1\nread_all = false\ndelete = %v\n", port, alicePass, cert, maildir, deliverAs, del))
		return path
	}
	run := func(del bool) string {
		return tool{name: getmail, args: []string{"--getmaildir", home, "--rcfile", rc(del)}, home: home}.mustRun(t, 0)
	}
	count := func() int {
		entries, _ := os.ReadDir(filepath.Join(maildir, "new"))
		return len(entries)
	}
	if out := run(false); count() != 3 {
		t.Fatalf("first run delivered %d messages, want 3:\n%s", count(), out)
	}
	if out := run(false); count() != 3 || !strings.Contains(out, "0 messages") {
		t.Fatalf("second run fetched again (UIDL ignored?): %d messages\n%s", count(), out)
	}
	deliver(t, s.addrs["mx"], "alice@example.com", "new since the last run")
	run(false)
	if count() != 4 {
		t.Fatalf("third run: %d messages, want 4", count())
	}
	if left := pop3Subjects(t, s.addrs["pop3"], "alice", alicePass); len(left) != 4 {
		t.Fatalf("leaving mail on the server: it holds %q", left)
	}
	run(true) // delete = true: old messages are deleted now too (read_all = false fetches none again)
	if left := pop3Subjects(t, s.addrs["pop3"], "alice", alicePass); len(left) != 0 {
		t.Errorf("after the delete run the server still holds %q", left)
	}
	events := waitOutput(t, s, "pop3s] (TLS) C: UIDL", "pop3s] (TLS) C: DELE 4")
	noSecrets(t, events)
}

// TestOfflineimap mirrors alice's mailboxes with offlineimap 8 (imaplib2),
// STARTTLS: every folder down, then a local flag up (UID STORE) and a local
// draft up (APPEND with a date, its UID learnt from APPENDUID).
func TestOfflineimap(t *testing.T) {
	offlineimap := requireTool(t, "offlineimap")
	s, cert := startServeWithCert(t)
	home := t.TempDir()
	local := filepath.Join(home, "mail")
	_, port, _ := strings.Cut(s.addrs["imap"], ":")
	rc := filepath.Join(home, "offlineimaprc")
	writeFile(t, rc, fmt.Sprintf(`[general]
accounts = alice
metadata = %s/meta

[Account alice]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = %s

[Repository remote]
type = IMAP
remotehost = localhost
remoteport = %s
remoteuser = alice
remotepass = %s
starttls = yes
ssl = no
sslcacertfile = %s
`, home, local, port, alicePass, cert))
	sync := func() string {
		return tool{name: offlineimap, args: []string{"-c", rc, "-o", "-u", "basic"}, home: home}.mustRun(t, 0)
	}
	sync()
	inbox := maildirFiles(t, filepath.Join(local, "INBOX"))
	if len(inbox) != 3 {
		t.Fatalf("offlineimap fetched %d INBOX messages, want 3", len(inbox))
	}
	os.MkdirAll(filepath.Join(local, "INBOX", "cur"), 0o700)
	os.Rename(inbox[0], maildirWithFlags(inbox[0], "F"))
	writeFile(t, filepath.Join(local, "Drafts", "new", "1.local"), "From: alice@example.com\nSubject: drafted in offlineimap\n\nlater\n")
	if out := sync(); strings.Contains(out, "ERROR") {
		t.Fatalf("second run:\n%s", out)
	}
	events := waitOutput(t, s, `+FLAGS (\Flagged)`, "APPEND Drafts")
	if !regexp.MustCompile(`S: \S+ OK \[APPENDUID \d+ 1\]`).MatchString(events) {
		t.Errorf("no APPENDUID for the uploaded draft:\n%s", events)
	}
	noSecrets(t, events)
}

// Whole real Thunderbird 153 logs, IMAP (MOZ_LOG=IMAP:5) and POP3, captured against
// mailtutor serve, is explained line by line: the credentials Thunderbird
// kept out of it are not taken for a malformed login, literals and IDLE
// are read. (The one "not understood" is a line out of timestamp order,
// which the reader reports on purpose.)
func TestAnnotateRealThunderbirdLog(t *testing.T) {
	log := readFile(t, "transcripts/logs/testdata/thunderbird153_imap_real.log")
	path := filepath.Join(t.TempDir(), "tb.log")
	writeFile(t, path, log)
	out := runClient(t, binary, "annotate", path)
	for _, want := range []string{"# format: thunderbird", "left them out of its log", "C: 48 IDLE", "S: * 4 EXISTS", "[literal: "} {
		if !strings.Contains(out, want) {
			t.Errorf("the annotated Thunderbird log lacks %q", want)
		}
	}
	for _, bad := range []string{"not valid base64", "not a valid IMAP response", "untagged data", "not an IMAP command"} {
		if strings.Contains(out, bad) {
			t.Errorf("the annotated Thunderbird log says %q", bad)
		}
	}

	// Its POP3 client logs to the console instead, as JavaScript strings,
	// the AUTH PLAIN response in the clear: explained, and masked.
	log = readFile(t, "transcripts/logs/testdata/thunderbird153_pop3_console_real.log")
	writeFile(t, path, log)
	out = runClient(t, binary, "annotate", path)
	for _, want := range []string{"# format: thunderbird", "C: AUTH PLAIN", "C: ********", "S: +OK 691 octets", "end of the RETR response", "S: +OK mail.example.com POP3 server signing off"} {
		if !strings.Contains(out, want) {
			t.Errorf("the annotated Thunderbird POP3 log lacks %q", want)
		}
	}
	if strings.Contains(out, "AGFsaWNl") || strings.Contains(out, "header +OK") {
		t.Errorf("the annotated Thunderbird POP3 log shows the credentials or misreads a reply:\n%s", out)
	}
}

// Logs of sessions with other servers are explained line by line: real
// clients talking to Dovecot 2.3.19 and Postfix 3.7 (Debian), Postfix's own
// log, and Exchange's protocol logs (written in its documented format): imaplib's APPEND, whose literal and closing
// line break the log leaves out, is followed by commands read as
// commands; two runs of curl in one log, both calling their connection
// #0, are two sessions; the POP3 listing curl writes to stdout, not to its
// trace, ends the LIST answer; curl's last word ("curl: (78) ...") is not
// taken for data.
func TestAnnotateOtherServersLogs(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string
	}{
		{"imaplib_dovecot_real.log", []string{"# format: imaplib", "Dovecot (Debian) ready", "the line break ends the command",
			"the search is done", "C: FMCC3 LOGIN realtest ********"}},
		{"curl_pop3_two_runs_dovecot_real.log", []string{"# format: curl", "## session s2 (pop3)", "[the list of message numbers and sizes: not in this log]",
			"C: RETR 1", "S: -ERR There's no message 1."}},
		{"curl_imap_dovecot_real.log", []string{"# format: curl", "C: A006 UID FETCH 1 BODY[]", "S: * BYE Logging out"}},
		// And Postfix 3.7, whose relay refusal is the 454 4.7.1 of greylisting.
		{"swaks_postfix_relay_real.log", []string{"# format: swaks", "S: 454 4.7.1 <someone@gmail.com>: Relay access denied", "will not relay"}},
		{"swaks_postfix_starttls_real.log", []string{"# format: swaks", "S: 220 2.0.0 Ready to start TLS", "the message was accepted"}},
		// Postfix's everyday mail.log, without debug_peer_list: its
		// one-line refusals and bounces become the command they name and
		// the reply they quote, in sessions that say they are rebuilt.
		{"postfix_summary_real.log", []string{"# format: postfix", "rebuilt from its one-line summary", "C: RCPT TO:<someone@gmail.com>",
			"will not relay", "Postfix delivering message 85D7BB8835 to <nosuchuser@example.com>", "a message cut off in the middle is not delivered"}},
		// A bounce Postfix sent back through mailtutor: its delivery-status
		// part quotes the remote server's reply.
		{"postfix_bounce_real.log", []string{"# format: bounce", "bounce: mx.example.net reports on <nosuchuser@example.com>: Action failed, Status 5.1.1",
			"S: 550 5.1.1 <nosuchuser@example.com>", "5.1.1 means: no such user"}},
		// Exim's main log: two failures and a deferral, each the command
		// Exim names and the reply it quotes.
		{"exim_mainlog_real.log", []string{"# format: exim", "failed for good (**)", "deferred (==)", "C: RCPT TO:<someone@elsewhere.test>",
			"will not relay", "greylisting"}},
		// Dovecot's own log: logins, logouts and what each session did.
		{"dovecot_logins_real.log", []string{"# format: dovecot", "logged in to IMAP as dlog with PLAIN, over TLS", "does not trust the server's certificate",
			"the mail stays on the server", "wrong user name or password"}},
		// Exchange's protocol logs, written by hand in Microsoft's
		// documented format: Exchange as the server, and as the client.
		{"exchange_receive.log", []string{"# format: exchange", "connection from 203.0.113.9:53412 to Exchange", "C: [the chunk: not in this log]",
			"the server's words mean: this server has no mailbox", "XRDST: Microsoft Exchange"}},
		{"exchange_send.log", []string{"# format: exchange", "Exchange (10.0.0.5:51234, connector Outbound to Internet) connects to 142.250.102.27:25",
			"C: RCPT TO:<friend.typo@gmail.com>", "S: 550 5.1.1 unnecessary spaces.", "5.1.1 means: no such user"}},
		{"thunderbird153_dovecot_real.log", []string{"# format: thunderbird", "S: * ID (\"name\" \"Dovecot\")", "the server's identity",
			"lists subscribed mailboxes matching \"*\"", "its special use"}},
		// Postfix's own mail.log with debug_peer_list: four sessions it
		// served (those three swaks runs and one more) and one delivery it
		// made as a client, to Mailpit, among its verbose internals.
		{"postfix_debug_peer_real.log", []string{"# format: postfix", "## session s5 (smtp)", "Postfix's smtp delivering to 127.0.0.1[127.0.0.1]:11025",
			"C: RCPT TO:<someone@gmail.com>", "will not relay", "C: [the message: not in this log]", "S: 220 vm Mailpit ESMTP Service ready",
			"commands=7"}},
	} {
		path := filepath.Join(t.TempDir(), c.file)
		writeFile(t, path, readFile(t, "transcripts/logs/testdata/"+c.file))
		out := runClient(t, binary, "annotate", path)
		for _, want := range c.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the annotation lacks %q:\n%s", c.file, want, out)
			}
		}
		for _, bad := range []string{"lines not understood", "which no command", "no command was waiting", "not a valid", "untagged data", "command continues"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: the annotation says %q:\n%s", c.file, bad, out)
			}
		}
	}
}

// explain, given a whole reply a user copied, explains its codes and what
// its words mean; words alone are explained too, and words it does not
// know are an error, not an empty page.
func TestExplainAPastedReply(t *testing.T) {
	out := runClient(t, binary, "explain", "454 4.7.1 <x@gmail.com>: Relay access denied")
	for _, want := range []string{"`454`", "`4.7.1`", "## What the server's words mean", "This server will not relay"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain of a pasted reply lacks %q:\n%s", want, out)
		}
	}
	if out := runClient(t, binary, "explain", "Client host [192.0.2.7] blocked using zen.spamhaus.org"); !strings.Contains(out, "DNS blocklist") {
		t.Errorf("explain of words alone:\n%s", out)
	}
	if err := exec.Command(binary, "explain", "hello world").Run(); err == nil {
		t.Error("explain of words it does not know succeeded")
	}
}

// annotate, given a message (its source, as "show original" gives it),
// explains each header field and the route its Received lines trace.
func TestAnnotateAMessage(t *testing.T) {
	out := runClient(t, binary, "annotate", "transcripts/testdata/messages/exim_via_serve_real.eml")
	for _, want := range []string{"# format: message (its header section)", "hop 2 of 2", "the envelope sender (MAIL FROM)",
		"## route, oldest hop first (2 Received lines)", "1. root → mx.example.net [local]"} {
		if !strings.Contains(out, want) {
			t.Errorf("annotate of a message lacks %q:\n%s", want, out)
		}
	}
}
