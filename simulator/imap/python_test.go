package imap

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPythonImaplib runs a real independent client against the server.
// Without python3 it skips, except under CI=true where it must fail.
func TestPythonImaplib(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required when CI=true (install it in .ci/run)")
		}
		t.Skip("python3 not found: skipping the imaplib client test")
	}
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "from python test", "hello"))
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "second", "again"))
	host, port, _ := strings.Cut(w.addr, ":")
	out, err := exec.Command(python, "testdata/imaplib_client.py", host, port).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("imaplib client: %v\n%s", err, out)
	}
}
