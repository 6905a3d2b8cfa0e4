package pop3

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPythonPoplib runs a real client, Python's poplib, against the server
// (testdata/poplib_check.py). Without python3 it skips, except under CI=true,
// where a missing client is a failure.
func TestPythonPoplib(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 not found, and CI=true requires the real-client test")
		}
		t.Skip("python3 not found: skipping the poplib client test (install python3 to run it)")
	}
	w := newWorld(t, nil)
	host, port, _ := strings.Cut(w.addr, ":")
	out, err := exec.Command(python, "testdata/poplib_check.py", host, port).CombinedOutput()
	if err != nil {
		t.Fatalf("poplib_check.py: %v\n%s", err, out)
	}
	if strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("poplib_check.py said %q", out)
	}
}
