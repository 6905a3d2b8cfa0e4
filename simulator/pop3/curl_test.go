package pop3

import (
	"os"
	"os/exec"
	"testing"
)

// TestCurl fetches a message with curl's pop3:// support, a second real
// client: it reads CAPA and logs in with SASL (AUTH PLAIN) when offered.
// Without curl it skips, except under CI=true, where that is a failure.
func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl not found, and CI=true requires the real-client test")
		}
		t.Skip("curl not found: skipping the curl client test (install curl to run it)")
	}
	w := newWorld(t, nil)
	out, err := exec.Command(curl, "--silent", "--show-error", "--user", "alice:wonderland",
		"pop3://"+w.addr+"/3").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	if string(out) != testMessages[2] {
		t.Fatalf("curl got %q, want %q", out, testMessages[2])
	}
	// The same with the password wrong: curl reports a login failure.
	if out, err := exec.Command(curl, "--silent", "--show-error", "--user", "alice:nope",
		"pop3://"+w.addr+"/3").CombinedOutput(); err == nil {
		t.Fatalf("curl logged in with a wrong password: %s", out)
	}
}
