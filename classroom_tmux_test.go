package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// TestTmuxClassroom runs `mailtutor classroom` and joins it with OpenSSH's
// ssh in real terminals (tmux): a learner types the class code, opens the
// first SMTP lesson and does its first step; the teacher, logged in with
// their key, sees her on step 2 with the hint she asked for, and puts her
// conversation on the projector.
func TestTmuxClassroom(t *testing.T) {
	sshPath := requireTool(t, "ssh")
	requireTool(t, "tmux")
	dir := t.TempDir()
	teacherKey := filepath.Join(dir, "teacher_ed25519")
	writeSSHKey(t, teacherKey, filepath.Join(dir, "teachers"))

	cmd := exec.Command(binary, "classroom", "--listen", "127.0.0.1:0", "--state-dir", filepath.Join(dir, "state"),
		"--teacher-keys", filepath.Join(dir, "teachers"))
	cmd.Env = append(os.Environ(), "MAILTUTOR_CLASS_CODE=letmein")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	lines := bufio.NewScanner(out)
	var port, fingerprint string
	for lines.Scan() && (port == "" || fingerprint == "") {
		l := lines.Text()
		if a, ok := strings.CutPrefix(l, "mailtutor classroom on 127.0.0.1:"); ok {
			port = a
		}
		if f, ok := strings.CutPrefix(l, "host key fingerprint: "); ok {
			fingerprint, _, _ = strings.Cut(f, " ")
		}
	}
	go func() { // keep reading the log, so the server never blocks on it
		for lines.Scan() {
		}
	}()
	if port == "" || !strings.HasPrefix(fingerprint, "SHA256:") {
		t.Fatalf("no address or fingerprint printed (port %q, fingerprint %q)", port, fingerprint)
	}
	sshArgs := func(extra ...string) []string {
		return append([]string{"env", "TERM=xterm-256color", sshPath, "-p", port, "-o", "StrictHostKeyChecking=no",
			"-o", "UserKnownHostsFile=" + filepath.Join(dir, "known_hosts")}, extra...)
	}

	t.Run("learner", func(t *testing.T) {
		keys, screen := startTmux(t, 110, 32, sshArgs("-o", "PubkeyAuthentication=no",
			"-o", "PreferredAuthentications=keyboard-interactive", "alice@127.0.0.1")...)
		screen("Type the class code your teacher gave you.", "Class code:")
		keys("letmein", "Enter")
		screen("mailtutor classroom · alice", "Your first SMTP conversation")
		// The host key the student's ssh recorded is the one announced.
		known, err := os.ReadFile(filepath.Join(dir, "known_hosts"))
		if err != nil {
			t.Fatal(err)
		}
		_, _, hostKey, _, _, err := ssh.ParseKnownHosts(known)
		if err != nil || ssh.FingerprintSHA256(hostKey) != fingerprint {
			t.Fatalf("host key in known_hosts %v (%v), announced %s", hostKey, err, fingerprint)
		}
		keys("Down")
		keys("Enter")
		screen("S: 220 mx.example.org", "1. Say hello")
		keys("F3")
		screen("Hint 1:")
		keys("EHLO laptop.example.com", "Enter")
		screen("250 SIZE", "✓ 1. Say hello")

		t.Run("teacher", func(t *testing.T) {
			_, teacher := startTmux(t, 130, 24, sshArgs("-i", teacherKey, "-o", "IdentitiesOnly=yes", "teacher@127.0.0.1")...)
			pane := teacher("1 learners, 1 connected", "alice", "Your first SMTP", "2/6 Who is it from?")
			// Hints and wrong attempts count on the step shown: step 2
			// has none yet.
			row := ""
			for _, l := range strings.Split(pane, "\n") {
				if strings.HasPrefix(l, "alice") {
					row = l
				}
			}
			if f := strings.Fields(row); len(f) < 4 || f[1] != "on" {
				t.Errorf("alice's row: %q", row)
			}
			keys("MAIL FROM:<alice@example.com>", "Enter")
			teacher("3/6 Who is it for?")
		})
		// The teacher puts alice's conversation on the projector: her
		// lines with their explanations below them, and her step.
		t.Run("projector", func(t *testing.T) {
			_, projector := startTmux(t, 120, 40, sshArgs("-t", "-i", teacherKey, "-o", "IdentitiesOnly=yes",
				"teacher@127.0.0.1", "projector", "alice")...)
			pane := projector("Projector · alice", "C: MAIL FROM:<alice@example.com>", "step 3 of 6: Who is it for?")
			for _, l := range strings.Split(pane, "\n") {
				if strings.Contains(l, "C: MAIL FROM:") && strings.Contains(l, "│") {
					t.Errorf("the explanation is beside the conversation: %q", l)
				}
			}
			keys("RCPT TO:<bob@example.org>", "Enter")
			projector("C: RCPT TO:<bob@example.org>")
		})
	})
}

// writeSSHKey writes a new ed25519 private key in OpenSSH's format to path
// (mode 0600, as ssh insists) and its public half to authorized.
func writeSSHKey(t *testing.T, path, authorized string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(authorized, ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTmuxClassroomLocalTeacher runs `mailtutor classroom --teacher`: the
// teacher's view is drawn on the terminal that started the classroom, a
// learner who joins over ssh shows up in it, the classroom's log goes to
// its file and never onto that screen, and q ends the class.
func TestTmuxClassroomLocalTeacher(t *testing.T) {
	sshPath := requireTool(t, "ssh")
	dir := t.TempDir()
	port := freePort(t)
	state := filepath.Join(dir, "state")
	teacherKeys, teacher := startTmux(t, 130, 24, "env", "MAILTUTOR_CLASS_CODE=letmein", binary, "classroom", "--teacher",
		"--listen", "127.0.0.1:"+port, "--state-dir", state)
	teacher("mailtutor classroom · 0 learners", "Nobody yet")

	// A subtest: startTmux names its tmux session after the test.
	t.Run("learner", func(t *testing.T) {
		keys, learner := startTmux(t, 110, 32, "env", "TERM=xterm-256color", sshPath, "-p", port, "-o", "StrictHostKeyChecking=no",
			"-o", "UserKnownHostsFile="+filepath.Join(dir, "known_hosts"), "-o", "PubkeyAuthentication=no",
			"-o", "PreferredAuthentications=keyboard-interactive", "bob@127.0.0.1")
		learner("Class code:")
		keys("letmein", "Enter")
		learner("mailtutor classroom · bob")
		pane := teacher("1 learners, 1 connected", "bob")

		log, err := os.ReadFile(filepath.Join(state, "classroom.log"))
		if err != nil || !strings.Contains(string(log), "bob") {
			t.Fatalf("the classroom's log (%v) does not mention bob: %q", err, log)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n") {
			if l = strings.TrimSpace(l); l != "" && strings.Contains(pane, l) {
				t.Errorf("a log line reached the teacher's screen: %q", l)
			}
		}
	})
	teacherKeys("q")
}

// freePort is a loopback port nobody listens on just now (for a program
// that must be told its address on the command line).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
