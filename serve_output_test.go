package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serveUntilCtrlC runs serve, sends n pipelined NOOPs over one IMAP session,
// waits for the last reply and stops serve with Ctrl-C (SIGINT) while the
// session is still open. It returns the lines serve printed after its banner.
func serveUntilCtrlC(t *testing.T, n int) []string {
	t.Helper()
	cmd, addrs, sc := startServeProcess(t)
	imapAddr := addrs["imap"]
	if imapAddr == "" {
		t.Fatal("no imap address in the banner")
	}
	out := make(chan []string)
	go func() {
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		out <- lines
	}()

	c, err := net.Dial("tcp", imapAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	r.ReadString('\n')
	var cmds strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&cmds, "a%d NOOP\r\n", i)
	}
	go c.Write([]byte(cmds.String()))
	last := fmt.Sprintf("a%d ", n)
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(l, last) {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	lines := <-out
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly on Ctrl-C: %v", err)
	}
	return lines
}

// A learner who stops serve sees the open sessions end: the server's BYE
// and the closing are printed, not lost with the process.
func TestServePrintsTheLastLinesOnCtrlC(t *testing.T) {
	out := strings.Join(serveUntilCtrlC(t, 3), "\n")
	for _, want := range []string{"[s1 imap] S: a3 OK NOOP completed", "[s1 imap] S: * BYE", "[s1 imap] * [closed:"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve's output lacks %q:\n%s", want, out)
		}
	}
}

// Every wire event reaches serve's output, printed or counted as not shown,
// even when the printer falls far behind and serve is stopped meanwhile.
func TestServeAccountsForEveryLineAtShutdown(t *testing.T) {
	const n = 100000
	notShown := regexp.MustCompile(`^\[output\] (\d+) lines not shown`)
	printed, counted := 0, 0
	for _, l := range serveUntilCtrlC(t, n) {
		switch {
		case strings.HasPrefix(l, "[s1 imap]"):
			printed++
		case notShown.MatchString(l):
			k, _ := strconv.Atoi(notShown.FindStringSubmatch(l)[1])
			counted += k
		}
	}
	// Open, greeting, n commands, n replies, the BYE of the shutdown, close.
	if want := 2*n + 4; printed+counted != want {
		t.Errorf("%d lines printed + %d counted as not shown = %d, want every one of the %d events", printed, counted, printed+counted, want)
	}
	if counted == 0 {
		t.Errorf("all %d lines were printed: the load did not exceed the printer's share, so the test proves nothing", printed)
	}
}

// A 1 MB command line is shown to the terminal cut short, with the count
// of what was left out; the relay's answer follows and the session goes on.
func TestServeShortensHugeLines(t *testing.T) {
	s := startServe(t)
	conn, err := net.Dial("tcp", s.addrs["imap"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	r.ReadString('\n') // greeting
	go conn.Write([]byte("a1 NOOP " + strings.Repeat("q", 1<<20) + "\r\na2 NOOP\r\n"))
	for _, want := range []string{"a1 BAD [LIMIT]", "a2 OK"} {
		if got, _ := r.ReadString('\n'); !strings.HasPrefix(got, want) {
			t.Fatalf("got %q, want %s...", got, want)
		}
	}
	out := s.waitFor(t, "S: a2 OK")
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 2200 {
			t.Errorf("a printed line of %d bytes: %.100q", len(line), line)
		}
	}
	if !strings.Contains(out, "more bytes not shown)") {
		t.Errorf("no line says it was shortened:\n%.3000s", out)
	}
}

// startServeProcess runs serve on port 0 with the extra flags and reads its
// banner: the command (killed at the end of the test), the listeners'
// addresses, and the scanner positioned after the banner on its output.
func startServeProcess(t *testing.T, extra ...string) (*exec.Cmd, map[string]string, *bufio.Scanner) {
	t.Helper()
	args := append([]string{"serve", "--smtp", "127.0.0.1:0", "--submission", "127.0.0.1:0",
		"--pop3", "127.0.0.1:0", "--imap", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	addrs := map[string]string{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && strings.HasPrefix(f[1], "127.0.0.1:") {
			addrs[f[0]] = f[1]
		}
		if strings.HasPrefix(sc.Text(), "TLS certificate") {
			break
		}
	}
	return cmd, addrs, sc
}
