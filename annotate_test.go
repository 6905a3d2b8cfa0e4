package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// annotateLines runs `mailtutor annotate ARGS...` and returns its stdin
// and a function that reads its output up to the line that starts with
// want, failing the test if the output ends first.
func annotateLines(t *testing.T, stdin bool, args ...string) (io.WriteCloser, func(want string)) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"annotate"}, args...)...)
	var in io.WriteCloser
	if stdin {
		var err error
		if in, err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	var seen []string
	return in, func(want string) {
		t.Helper()
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if strings.HasPrefix(sc.Text(), want) {
				return
			}
		}
		t.Fatalf("the output ended before %q:\n%s", want, strings.Join(seen, "\n"))
	}
}

// A live log through a pipe (journalctl -f | mailtutor annotate -): each
// line's explanation comes out before the next line is written, so a
// follower sees it at once, not when the input ends.
func TestAnnotateStreamsAPipe(t *testing.T) {
	in, expect := annotateLines(t, true, "-")
	for _, l := range []string{
		"S: 220 mail.example.com ESMTP Postfix",
		"C: EHLO laptop.example.com",
		"S: 250-mail.example.com",
		"S: 250 SIZE 10240000",
		"C: MAIL FROM:<alice@example.com>",
		"S: 250 2.1.0 Ok",
		"C: RCPT TO:<nobody@example.org>",
		"S: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown",
		"C: QUIT",
		"S: 221 2.0.0 Bye",
	} {
		if _, err := io.WriteString(in, l+"\n"); err != nil {
			t.Fatal(err)
		}
		expect(l) // blocks until the annotated line is out
	}
	in.Close()
}

// annotate -f follows a file as it grows, as tail -f does.
func TestAnnotateFollowsAGrowingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("S: +OK POP3 ready\nC: USER bob\n"); err != nil {
		t.Fatal(err)
	}
	_, expect := annotateLines(t, false, "-f", path)
	expect("C: USER bob")
	for _, l := range []string{"S: +OK", "C: PASS builder", "S: -ERR [AUTH] Authentication failed"} {
		if _, err := f.WriteString(l + "\n"); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(l, "C: PASS") {
			l = "C: PASS ********" // masked
		}
		expect(l)
	}
}

// A log that holds many sessions one after another is read as many
// sessions, each with its protocol, and a repeated note is said once per
// session.
func TestAnnotateSessionsOneAfterAnother(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.log")
	writeFile(t, path, "S: 220 mx ESMTP\nC: NOOP\nS: 250 2.0.0 Ok\nC: NOOP\nS: 250 2.0.0 Ok\nC: QUIT\nS: 221 Bye\n"+
		"S: * OK IMAP4rev1 ready\nC: a1 NOOP\nS: a1 OK done\nC: a2 LOGOUT\nS: * BYE bye\nS: a2 OK bye\n")
	out := runClient(t, binary, "annotate", path)
	for _, want := range []string{"## session s1 (smtp)", "## session s2 (imap)"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q:\n%s", want, out)
		}
	}
	s1, _, _ := strings.Cut(out, "## session s2")
	if n := strings.Count(s1, "does nothing"); n != 1 {
		t.Errorf("the NOOP note is said %d times in session s1, want once:\n%s", n, out)
	}
}
