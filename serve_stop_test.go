package main

import (
	"bufio"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeStopsOnSIGTERMWithSessionsMidCommand: sessions left in the
// middle of something (a POP3 STLS whose handshake never comes, after a
// refused "STLS %" with a command behind it; an IMAP APPEND cut inside its
// literal; an SMTP DATA body never ended; an IMAP IDLE) must not keep serve
// from stopping. The bound below only catches a hang: the time it took is
// logged (go test -v), not asserted.
func TestServeStopsOnSIGTERMWithSessionsMidCommand(t *testing.T) {
	cmd, addrs, sc := startServeProcess(t, "--quiet")
	go func() {
		for sc.Scan() { // serve must never block on its output
		}
	}()

	open := func(name string, steps ...string) {
		t.Helper()
		c, err := net.Dial("tcp", addrs[name])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		r.ReadString('\n') // greeting
		for _, st := range steps {
			want, send, _ := strings.Cut(st, ">")
			c.Write([]byte(send))
			if want == "" {
				continue
			}
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("%s: waiting for %q: %v", name, want, err)
				}
				if strings.HasPrefix(l, want) {
					break
				}
			}
		}
	}
	open("pop3", "-ERR>STLS %\r\nUSER alice\r\n", "+OK>", "+OK>STLS\r\n")
	open("imap", "a OK>a LOGIN alice wonderland\r\n", "+>b APPEND INBOX {100}\r\n", ">only part of the message")
	open("imap", "a OK>a LOGIN alice wonderland\r\n", "a OK>a SELECT INBOX\r\n", "+>b IDLE\r\n")
	open("mx", "250>EHLO x\r\n", "250>MAIL FROM:<a@b.example>\r\n", "250>RCPT TO:<alice@example.com>\r\n", "354>DATA\r\n", ">Subject: never ends\r\n")

	began := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Logf("serve stopped %v after SIGTERM", time.Since(began).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("serve did not stop cleanly: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve still runs 10 s after SIGTERM")
	}
}
