package logs

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// needTool finds an outside program a test drives; without it the test is
// skipped, except under CI=true where a missing tool is a failure.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", name, err)
		}
		t.Skipf("%s not installed: cannot capture its real output", name)
	}
	return path
}

// scriptedSMTP answers one SMTP session with fixed replies: just enough for
// curl to send a message. It is not the simulator (this package may not
// import it); it only makes curl print a genuine -v trace.
func scriptedSMTP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		say := func(s string) { c.Write([]byte(s + "\r\n")) }
		say("220 mail.example.com ESMTP scripted")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			verb := strings.ToUpper(strings.Fields(line + " x")[0])
			switch verb {
			case "EHLO":
				say("250-mail.example.com")
				say("250 SIZE 1000000")
			case "DATA":
				say("354 go ahead")
				for {
					body, err := r.ReadString('\n')
					if err != nil || body == ".\r\n" {
						break
					}
				}
				say("250 2.0.0 queued")
			case "QUIT":
				say("221 2.0.0 bye")
				return
			default:
				say("250 2.1.0 ok")
			}
		}
	}()
	return l.Addr().String()
}

// TestCurlRealOutput captures curl -v against a scripted server and parses it.
func TestCurlRealOutput(t *testing.T) {
	curl := needTool(t, "curl")
	addr := scriptedSMTP(t)
	msg := filepath.Join(t.TempDir(), "msg.eml")
	if err := os.WriteFile(msg, []byte("Subject: hi\r\n\r\nhello\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(curl, "-v", "-sS", "smtp://"+addr, "--mail-from", "alice@example.com",
		"--mail-rcpt", "bob@example.org", "--upload-file", msg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl: %v\n%s", err, stderr.String())
	}
	if f, p := Detect(stderr.Bytes()); f != FormatCurl || p != wire.SMTP {
		t.Errorf("Detect = %s, %s", f, p)
	}
	res, err := Parse(&stderr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sessions) != 1 || len(res.Problems) != 0 {
		t.Fatalf("sessions %d, problems %+v", len(res.Sessions), res.Problems)
	}
	var verbs []string
	for _, e := range res.Sessions[0].Events {
		if e.Kind == wire.Line && e.Dir == wire.FromClient {
			verbs = append(verbs, strings.Fields(string(e.Data))[0])
		}
	}
	want := "EHLO MAIL RCPT DATA" // curl 7.88 does not trace the QUIT it sends when it exits
	if strings.Join(verbs, " ") != want {
		t.Errorf("client verbs %v, want %s", verbs, want)
	}
	evs := res.Sessions[0].Events
	for i, e := range evs {
		// The upload is not in the trace: an empty payload marks it.
		if strings.HasPrefix(string(e.Data), "354") && (evs[i+1].Kind != wire.Payload || !strings.HasPrefix(string(evs[i+2].Data), "250 2.0.0")) {
			t.Errorf("after 354 come %v %q and %q", evs[i+1].Kind, evs[i+1].Data, evs[i+2].Data)
		}
	}
}
