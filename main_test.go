package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests in this file run the real mailtutor binary and talk to it with
// real clients (Python's smtplib, poplib and imaplib, curl), the way a
// learner's mail program would.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mailtutor-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "mailtutor")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireTool skips when a client is missing, except under CI=true where a
// missing client means CI did not install it: a failure.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		t.Skipf("%s is not installed: skipping the real-client test", name)
	}
	return path
}

// served is a running `mailtutor serve`.
type served struct {
	addrs   map[string]string // role → host:port
	mu      sync.Mutex
	changed *sync.Cond   // signalled when a line is added to out or the output ends
	out     bytes.Buffer // the event lines it printed
	ended   bool
}

// waitFor waits until serve has printed every wanted fragment, failing after
// a generous bound; it wakes on each printed line, never by polling.
func (s *served) waitFor(t *testing.T, want ...string) string {
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
		missing := ""
		for _, w := range want {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return out
		}
		if s.ended {
			t.Fatalf("serve output lacks %q:\n%s", missing, out)
		}
		s.changed.Wait()
	}
}

func (s *served) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

func startServe(t *testing.T, extra ...string) *served {
	t.Helper()
	return startMailtutor(t, "serve", extra...)
}

// startMailtutor starts serve or watch with every listener on a free port.
func startMailtutor(t *testing.T, command string, extra ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	args := []string{command, "--smtp", "127.0.0.1:0", "--submission", "127.0.0.1:0", "--pop3", "127.0.0.1:0",
		"--imap", "127.0.0.1:0", "--smtps", "127.0.0.1:0", "--pop3s", "127.0.0.1:0", "--imaps", "127.0.0.1:0"}
	cmd := exec.CommandContext(ctx, binary, append(args, extra...)...)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	s := &served{addrs: map[string]string{}}
	s.changed = sync.NewCond(&s.mu)
	t.Cleanup(func() {
		if t.Failed() { // what the servers saw is the first clue to a client's failure
			out := s.output()
			t.Logf("serve printed (last 6000 bytes):\n%s", out[max(0, len(out)-6000):])
		}
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		inBanner := true
		for sc.Scan() {
			line := sc.Text()
			if inBanner {
				f := strings.Fields(line)
				if len(f) == 2 && strings.HasPrefix(f[1], "127.0.0.1:") {
					s.addrs[f[0]] = f[1]
				}
				if strings.HasPrefix(line, "TLS certificate") {
					inBanner = false
					close(ready)
				}
				continue
			}
			s.mu.Lock()
			s.out.WriteString(line + "\n")
			s.changed.Broadcast()
			s.mu.Unlock()
		}
		s.mu.Lock()
		s.ended = true
		s.changed.Broadcast()
		s.mu.Unlock()
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("serve printed no banner")
	}
	return s
}

func (s *served) hostPort(role string) (string, string) {
	host, port, _ := strings.Cut(s.addrs[role], ":")
	return host, port
}

func runClient(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestPythonClientsSendAndRead(t *testing.T) {
	py := requireTool(t, "python3")
	s := startServe(t)
	host, port := s.hostPort("submission")
	out := runClient(t, py, "testdata/clients/smtp_send.py", host, port, "starttls", "alice", "wonderland",
		"alice@example.com", "bob@example.org", "From smtplib")
	if !strings.Contains(out, "STARTTLS 220") || !strings.Contains(out, "AUTH 235") || !strings.Contains(out, "REFUSED {}") {
		t.Fatalf("smtplib:\n%s", out)
	}
	host, port = s.hostPort("submissions")
	runClient(t, py, "testdata/clients/smtp_send.py", host, port, "ssl", "alice@example.com", "wonderland",
		"alice@example.com", "alice@example.com", "Over implicit TLS")

	host, port = s.hostPort("pop3")
	out = runClient(t, py, "testdata/clients/pop3_read.py", host, port, "bob", "builder", "stls")
	for _, want := range []string{"STLS +OK", "STAT 2 ", "LIST 2", "RETR1 ", "Subject: Welcome", "TOP0 1", "DELE +OK", "OK"} {
		if !strings.Contains(out, want) {
			t.Fatalf("poplib output lacks %q:\n%s", want, out)
		}
	}
	// DELE+QUIT removed the first message; the one from smtplib remains.
	out = runClient(t, py, "testdata/clients/pop3_read.py", host, port, "bob@example.org", "builder", "plain")
	if !strings.Contains(out, "STAT 1 ") || !strings.Contains(out, "Subject: From smtplib") {
		t.Fatalf("second poplib session:\n%s", out)
	}

	host, port = s.hostPort("imap")
	out = runClient(t, py, "testdata/clients/imap_read.py", host, port, "alice", "wonderland", "starttls")
	for _, want := range []string{"STARTTLS OK", "LOGIN OK", "LIST OK 6", "SELECT OK 4", "UNSEEN 1 2 3 4", "Subject: Lunch on Friday?", "STORE OK", "SEARCHFROM 1 2 3", "UIDSEARCH 1 2 3 4", "OK"} {
		if !strings.Contains(out, want) {
			t.Fatalf("imaplib output lacks %q:\n%s", want, out)
		}
	}
	host, port = s.hostPort("imaps")
	out = runClient(t, py, "testdata/clients/imap_read.py", host, port, "alice@example.com", "wonderland", "ssl")
	if !strings.Contains(out, "SELECT OK 4") {
		t.Fatalf("imaplib over implicit TLS:\n%s", out)
	}

	events := s.waitFor(t, "C: ehlo python.test", "C: STARTTLS", "(TLS) C: AUTH PLAIN ********", "C: PASS ********", "C: RETR 1")
	if strings.Contains(events, "wonderland") || strings.Contains(events, "builder") {
		t.Error("serve printed a password")
	}
}

func TestCurlSpeaksAllThree(t *testing.T) {
	curl := requireTool(t, "curl")
	s := startServe(t)
	msg := filepath.Join(t.TempDir(), "msg.eml")
	os.WriteFile(msg, []byte("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: via curl\r\n\r\nHi Bob.\r\n"), 0o644)
	// Submission offers AUTH only after STARTTLS: --ssl-reqd makes curl ask for it.
	runClient(t, curl, "-sS", "--ssl-reqd", "-k", "--url", "smtp://"+s.addrs["submission"], "--user", "alice:wonderland",
		"--mail-from", "alice@example.com", "--mail-rcpt", "bob@example.org", "--upload-file", msg)
	out := runClient(t, curl, "-sS", "--url", "pop3://"+s.addrs["pop3"]+"/2", "--user", "bob:builder")
	if !strings.Contains(out, "Subject: via curl") || strings.Count(out, "Received: ") != 2 {
		t.Fatalf("curl pop3 RETR 2:\n%s", out)
	}
	out = runClient(t, curl, "-sS", "--url", "imap://"+s.addrs["imap"]+"/INBOX;UID=2", "--user", "bob:builder")
	if !strings.Contains(out, "Subject: via curl") {
		t.Fatalf("curl imap fetch:\n%s", out)
	}
	out = runClient(t, curl, "-sS", "--ssl-reqd", "-k", "--url", "imap://"+s.addrs["imap"]+"/", "--user", "alice:wonderland")
	if !strings.Contains(out, "Sent") || !strings.Contains(out, "INBOX") {
		t.Fatalf("curl imap LIST over STARTTLS:\n%s", out)
	}
	// Relaying without AUTH is refused.
	cmd := exec.Command(curl, "-sS", "--url", "smtp://"+s.addrs["mx"], "--mail-from", "x@spam.test",
		"--mail-rcpt", "victim@elsewhere.test", "--upload-file", msg)
	out2, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out2), "55") {
		t.Fatalf("relay through the MX was not refused: %v %s", err, out2)
	}
}

// --plain-auth lets submission take a password in clear; --require-tls
// forbids it on every listener: serve refuses the pair instead of guessing.
func TestServeRefusesPlainAuthWithRequireTLS(t *testing.T) {
	cmd := exec.Command(binary, "serve", "--plain-auth", "--require-tls")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--plain-auth and --require-tls contradict each other") {
		t.Fatalf("serve --plain-auth --require-tls: %v\n%s", err, out)
	}
}
