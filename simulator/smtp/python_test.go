package smtp

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/fault"
)

// python3 finds the interpreter; tests skip without it, except in CI
// (CI=true), where a missing client is a failure.
func python3(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required in CI (install it in .ci/run)")
		}
		t.Skip("python3 not installed: skipping the smtplib client test")
	}
	return path
}

// smtplib runs testdata/smtplib_send.py and returns its output and exit code.
func smtplib(t *testing.T, addr string, args ...string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python3(t), append([]string{"testdata/smtplib_send.py", host, port}, args...)...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func TestPythonSmtplib(t *testing.T) {
	w := newWorld(t)
	tlsSub := w.sub

	// Submission with STARTTLS and AUTH (smtplib picks PLAIN or LOGIN itself).
	if out, code := smtplib(t, tlsSub.addr, "alice@example.com", "wonderland", "alice@example.com", "alice@example.com", "starttls"); code != 0 {
		t.Fatalf("smtplib via STARTTLS: exit %d: %s", code, out)
	}
	msgs := inbox(t, w.store, "alice@example.com")
	if len(msgs) != 1 || !strings.Contains(msgs[0], "from python.example ([127.0.0.1])") || !strings.Contains(msgs[0], "with ESMTPSA") ||
		!strings.Contains(msgs[0], "\r\n.a line starting with a dot\r\n") {
		t.Errorf("stored message:\n%q", msgs)
	}

	// Without TLS the same login is refused: smtplib sees no AUTH in EHLO.
	if out, code := smtplib(t, tlsSub.addr, "alice@example.com", "wonderland", "alice@example.com", "alice@example.com"); code == 0 {
		t.Errorf("login without STARTTLS should fail, got: %s", out)
	}

	// Plain MX delivery, and the relay-denied refusal as smtplib reports it.
	if out, code := smtplib(t, w.mx.addr, "", "", "carol@example.net", "bob@example.org"); code != 0 {
		t.Fatalf("smtplib to the MX: exit %d: %s", code, out)
	}
	if out, code := smtplib(t, w.mx.addr, "", "", "carol@example.net", "x@gmail.com"); code != 2 || !strings.HasPrefix(out, "554 5.7.1") {
		t.Errorf("relay through the MX: want 554 5.7.1, got exit %d: %s", code, out)
	}
	w.subFaults.Enable(fault.AuthFail, true)
	if out, code := smtplib(t, w.sub.addr, "alice", "wonderland", "alice@example.com", "bob@example.org", "starttls"); code != 2 || !strings.HasPrefix(out, "535") {
		t.Errorf("auth-fail: want 535, got exit %d: %s", code, out)
	}
}
