package main

import (
	"bufio"
	"flag"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// The tests in this file record whole annotated transcripts of real clients
// (curl, Python's smtplib, poplib and imaplib, a raw socket) talking to an
// in-process simulator, and compare them with the golden files under
// testdata/golden-clients. `go test -run GoldenClients -update` rewrites the
// files: read the diff before committing, it is the annotation a learner sees.

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden-clients/*.txt")

// goldenStart is the manual clock's start: dates in greetings, Received
// headers, INTERNALDATE and UIDVALIDITY are the same on every run.
var goldenStart = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

// recorded is a simulator with a recorder listening to every session.
type recorded struct {
	sim *simulator.Simulator
	rec *transcripts.Recorder
}

func startRecorded(t *testing.T) *recorded {
	t.Helper()
	sim, err := simulator.New(simulator.Options{Start: goldenStart, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rec := transcripts.NewRecorder(sim, transcripts.RecorderOptions{Now: func() time.Time { return goldenStart }})
	t.Cleanup(func() {
		rec.Close()
		sim.Close()
	})
	return &recorded{sim: sim, rec: rec}
}

// hostPort splits a role's address for the clients' command lines.
func (r *recorded) hostPort(role wire.Role) (string, string) {
	host, port, _ := net.SplitHostPort(r.sim.Addr(role))
	return host, port
}

// settle waits until every session opened so far has closed and its Close
// event is annotated: a client process that exited has hung up, but the
// relay may not have noticed yet (a test seen failing once under load,
// its transcript one Close short). The deadline only turns a hang into a
// failure; nothing is timed.
func (r *recorded) settle(t *testing.T) []transcripts.Line {
	t.Helper()
	// First let the recorder catch up with every event published so far:
	// on a busy machine it may not have recorded even the Open of a
	// session whose client has already exited, and "no session open"
	// would then pass for "every session closed".
	r.rec.Sync()
	var mu sync.Mutex
	open := 0
	done := make(chan struct{}, 1)
	count := func(l transcripts.Line) {
		switch l.Kind {
		case wire.Open:
			open++
		case wire.Close:
			open--
		}
	}
	sofar, cancel := r.rec.Follow(func(l transcripts.Line) {
		mu.Lock()
		defer mu.Unlock()
		count(l)
		if open == 0 {
			select {
			case done <- struct{}{}:
			default:
			}
		}
	})
	defer cancel()
	mu.Lock()
	for _, l := range sofar {
		count(l)
	}
	settled := open == 0
	mu.Unlock()
	if !settled {
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("a session never closed")
		}
	}
	r.rec.Sync()
	return r.rec.Lines()
}

// checkGolden renders the lines, normalises what varies between machines and
// runs, and compares with testdata/golden-clients/name.txt.
func checkGolden(t *testing.T, name string, lines []transcripts.Line) {
	t.Helper()
	got := renderGolden(lines)
	path := filepath.Join("testdata", "golden-clients", name+".txt")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run GoldenClients -update creates it)", err)
	}
	if string(want) != got {
		t.Errorf("annotated transcript differs from %s (go test -run GoldenClients -update rewrites it; read the diff). Got:\n%s", path, got)
	}
}

// renderGolden writes every line with its note and the fields a lesson
// checker reads, sessions numbered in order of appearance.
func renderGolden(lines []transcripts.Line) string {
	var b strings.Builder
	number := map[wire.SessionID]int{}
	var order []wire.SessionID
	bySession := map[wire.SessionID][]transcripts.Line{}
	for _, l := range lines {
		if _, ok := number[l.Session]; !ok {
			number[l.Session] = len(order) + 1
			order = append(order, l.Session)
		}
		bySession[l.Session] = append(bySession[l.Session], l)
	}
	for _, id := range order {
		ls := bySession[id]
		b.WriteString("=== session " + strconv.Itoa(number[id]) + ": " + strings.ToUpper(string(ls[0].Proto)) + " (" + string(ls[0].Role) + ") ===\n")
		for _, l := range ls {
			prefix := "*  "
			switch l.Dir {
			case wire.FromClient:
				prefix = "C: "
			case wire.FromServer:
				prefix = "S: "
			}
			if l.Encrypted {
				prefix = prefix[:1] + "~ "
			}
			b.WriteString(prefix + l.Text + "\n")
			b.WriteString("    # " + l.Note + "\n")
			var f []string
			add := func(k, v string) {
				if v != "" {
					f = append(f, k+"="+v)
				}
			}
			add("verb", l.Verb)
			add("tag", l.Tag)
			add("code", l.Code)
			add("enh", l.Enhanced)
			add("resp", l.RespCode)
			add("state", l.State)
			add("rfc", l.RFC)
			add("level", l.Level.String())
			if l.Complete {
				f = append(f, "complete")
			}
			if l.Secret {
				f = append(f, "secret")
			}
			if l.Unknown {
				f = append(f, "UNKNOWN")
			}
			b.WriteString("    [" + strings.Join(f, " ") + "]\n")
		}
	}
	return normalise(b.String(), lines)
}

var (
	portRE     = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	queueIDRE  = regexp.MustCompile(`\b(id|queued as) [0-9A-F]{8}\b`)
	tlsParenRE = regexp.MustCompile(`TLS 1\.[0-3], TLS_[A-Z0-9_]+`)
	// After QUIT or LOGOUT both ends hang up; which one the relay notices
	// first is a race.
	imaplibTagRE = regexp.MustCompile(`^([A-Z]{4})\d+$`)
	closedByRE   = regexp.MustCompile(`the (client|server) closed the connection`)
)

// normalise replaces what varies between runs and machines with
// placeholders: client ports, the TLS version and cipher suite the client
// negotiated, queue ids, imaplib's random tag prefix, which end hung up first after a goodbye, and the
// name curl gives in EHLO (the machine's host name).
func normalise(s string, lines []transcripts.Line) string {
	imapTagPrefixes := map[string]bool{}
	for _, l := range lines {
		if l.Dir == wire.FromClient && l.Proto == wire.IMAP {
			// imaplib starts its tags with four random capitals ("IBPO0").
			if m := imaplibTagRE.FindStringSubmatch(l.Tag); m != nil {
				imapTagPrefixes[m[1]] = true
			}
		}
		if l.Dir != wire.FromClient || l.Proto != wire.SMTP {
			continue
		}
		word, name, _ := strings.Cut(l.Text, " ")
		if !strings.EqualFold(word, "EHLO") && !strings.EqualFold(word, "HELO") || name == "" {
			continue
		}
		// curl presents the machine's host name; the tests' own clients use
		// names under .test and the simulator's relay hop its own name,
		// which stay.
		if strings.HasSuffix(name, ".test") || strings.HasSuffix(name, ".example.com") || strings.HasSuffix(name, ".example.org") {
			continue
		}
		s = regexp.MustCompile(`\b`+regexp.QuoteMeta(name)+`\b`).ReplaceAllString(s, "CLIENT-HOST")
	}
	for prefix := range imapTagPrefixes {
		s = regexp.MustCompile(`\b`+prefix+`(\d+)\b`).ReplaceAllString(s, "TAG$1")
	}
	s = portRE.ReplaceAllString(s, "127.0.0.1:PORT")
	s = queueIDRE.ReplaceAllString(s, "$1 QUEUEID")
	s = tlsParenRE.ReplaceAllString(s, "TLS-VERSION, CIPHER-SUITE")
	s = closedByRE.ReplaceAllString(s, "the CLIENT-OR-SERVER closed the connection")
	return s
}

// requireExplained fails, listing them, for lines no knowledge matched.
func requireExplained(t *testing.T, lines []transcripts.Line) {
	t.Helper()
	var unknown []string
	for _, l := range lines {
		if l.Unknown {
			unknown = append(unknown, l.Dir.String()+" "+l.Text+"  # "+l.Note)
		}
	}
	if len(unknown) > 0 {
		t.Errorf("%d line(s) of a standard session are Unknown:\n%s", len(unknown), strings.Join(unknown, "\n"))
	}
}

// requireNote fails unless some line matching match has a note containing want.
func requireNote(t *testing.T, lines []transcripts.Line, what string, match func(transcripts.Line) bool, want string) {
	t.Helper()
	var notes []string
	for _, l := range lines {
		if match(l) {
			if strings.Contains(l.Note, want) {
				return
			}
			notes = append(notes, l.Text+"  # "+l.Note)
		}
	}
	t.Errorf("%s: no note contains %q; candidates:\n%s", what, want, strings.Join(notes, "\n"))
}

func serverCode(verb, code string) func(transcripts.Line) bool {
	return func(l transcripts.Line) bool {
		return l.Dir == wire.FromServer && l.Verb == verb && l.Code == code && l.Complete
	}
}

// writeMessage writes the message curl uploads.
func writeMessage(t *testing.T) string {
	t.Helper()
	msg := filepath.Join(t.TempDir(), "msg.eml")
	body := "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: via curl\r\n" +
		"Date: Fri, 02 Jan 2026 10:00:00 +0000\r\nMessage-ID: <curl-1@example.com>\r\n\r\nHi Bob.\r\n.A line that starts with a dot.\r\n"
	if err := os.WriteFile(msg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestGoldenClientsCurl(t *testing.T) {
	curl := requireTool(t, "curl")
	t.Run("smtp", func(t *testing.T) {
		// Submission offers AUTH only after STARTTLS: curl must ask for TLS.
		r := startRecorded(t)
		runClient(t, curl, "-sS", "--ssl-reqd", "-k", "--url", "smtp://"+r.sim.Addr(wire.RoleSubmission), "--user", "alice:wonderland",
			"--mail-from", "alice@example.com", "--mail-rcpt", "bob@example.org", "--upload-file", writeMessage(t))
		lines := r.settle(t)
		requireExplained(t, lines)
		requireNote(t, lines, "RCPT's 250", serverCode("RCPT", "250"), "recipient <bob@example.org>")
		requireNote(t, lines, "MAIL's 250", serverCode("MAIL", "250"), "sender <alice@example.com>")
		requireNote(t, lines, "AUTH PLAIN inside TLS", func(l transcripts.Line) bool {
			return l.Dir == wire.FromClient && l.Verb == "AUTH" && l.Secret && l.Encrypted
		}, "inside TLS")
		checkGolden(t, "curl_smtp", lines)
	})
	t.Run("smtp_plain_auth", func(t *testing.T) {
		// The plain-auth fault brings back the old servers' clear-text
		// login: the annotation must say the password was readable.
		r := startRecorded(t)
		r.sim.SetFault(fault.PlainAuth, true)
		runClient(t, curl, "-sS", "--url", "smtp://"+r.sim.Addr(wire.RoleSubmission), "--user", "alice:wonderland",
			"--mail-from", "alice@example.com", "--mail-rcpt", "bob@example.org", "--upload-file", writeMessage(t))
		lines := r.settle(t)
		requireExplained(t, lines)
		requireNote(t, lines, "AUTH PLAIN in clear text", func(l transcripts.Line) bool {
			return l.Dir == wire.FromClient && l.Verb == "AUTH" && l.Secret && !l.Encrypted
		}, "not encrypted")
		checkGolden(t, "curl_smtp_plain_auth", lines)
	})
	t.Run("pop3", func(t *testing.T) {
		r := startRecorded(t)
		out := runClient(t, curl, "-sS", "--url", "pop3://"+r.sim.Addr(wire.RolePOP3)+"/1", "--user", "bob:builder")
		if !strings.Contains(out, "Subject:") {
			t.Fatalf("curl pop3 RETR 1:\n%s", out)
		}
		lines := r.settle(t)
		requireExplained(t, lines)
		checkGolden(t, "curl_pop3", lines)
	})
	t.Run("imap", func(t *testing.T) {
		r := startRecorded(t)
		out := runClient(t, curl, "-sS", "--ssl-reqd", "-k", "--url", "imap://"+r.sim.Addr(wire.RoleIMAP)+"/INBOX;UID=1", "--user", "alice:wonderland")
		if !strings.Contains(out, "Subject:") {
			t.Fatalf("curl imap fetch:\n%s", out)
		}
		lines := r.settle(t)
		requireExplained(t, lines)
		checkGolden(t, "curl_imap", lines)
	})
}

func TestGoldenClientsPython(t *testing.T) {
	py := requireTool(t, "python3")
	t.Run("smtplib", func(t *testing.T) {
		r := startRecorded(t)
		host, port := r.hostPort(wire.RoleSubmission)
		runClient(t, py, "testdata/clients/smtp_send.py", host, port, "starttls", "alice", "wonderland",
			"alice@example.com", "bob@example.org", "From smtplib")
		lines := r.settle(t)
		requireExplained(t, lines)
		requireNote(t, lines, "RCPT's 250", serverCode("RCPT", "250"), "recipient <bob@example.org>")
		requireNote(t, lines, "the TLS event", func(l transcripts.Line) bool { return l.Kind == wire.TLS }, "EHLO again")
		requireNote(t, lines, "AUTH PLAIN inside TLS", func(l transcripts.Line) bool {
			return l.Dir == wire.FromClient && l.Verb == "AUTH" && l.Encrypted
		}, "inside TLS: only the server can read it")
		checkGolden(t, "python_smtplib", lines)
	})
	t.Run("smtp_sequence", func(t *testing.T) {
		r := startRecorded(t)
		host, port := r.hostPort(wire.RoleMX)
		runClient(t, py, "testdata/golden-clients/smtp_sequence.py", host, port)
		lines := r.settle(t)
		requireExplained(t, lines)
		requireNote(t, lines, "RCPT before MAIL", serverCode("RCPT", "503"), "MAIL FROM must come first")
		requireNote(t, lines, "DATA before RCPT", serverCode("DATA", "503"), "RCPT TO must come first")
		requireNote(t, lines, "MAIL without brackets", func(l transcripts.Line) bool {
			return l.Dir == wire.FromClient && l.Verb == "MAIL"
		}, "angle brackets")
		requireNote(t, lines, "a lenient 250 to MAIL without brackets", serverCode("MAIL", "250"), "lenient")
		checkGolden(t, "python_smtp_sequence", lines)
	})
	t.Run("poplib", func(t *testing.T) {
		r := startRecorded(t)
		host, port := r.hostPort(wire.RolePOP3)
		runClient(t, py, "testdata/clients/pop3_read.py", host, port, "bob", "builder", "stls")
		lines := r.settle(t)
		requireExplained(t, lines)
		requireNote(t, lines, "DELE's +OK", serverCode("DELE", "+OK"), "marked deleted")
		requireNote(t, lines, "QUIT's +OK", serverCode("QUIT", "+OK"), "removed the 1 message marked deleted")
		checkGolden(t, "python_poplib", lines)
	})
	t.Run("imaplib", func(t *testing.T) {
		r := startRecorded(t)
		host, port := r.hostPort(wire.RoleIMAP)
		runClient(t, py, "testdata/clients/imap_read.py", host, port, "alice", "wonderland", "starttls")
		lines := r.settle(t)
		requireExplained(t, lines)
		requireNote(t, lines, "SELECT's EXISTS", func(l transcripts.Line) bool {
			return l.Dir == wire.FromServer && l.Verb == "SELECT" && l.Code == "EXISTS"
		}, "mailbox INBOX holds")
		checkGolden(t, "python_imaplib", lines)
	})
}

// TestGoldenClientsIdle idles on INBOX over a raw IMAP connection while
// Python's smtplib delivers a message: the EXISTS pushed during IDLE must be
// explained as another session's delivery.
func TestGoldenClientsIdle(t *testing.T) {
	py := requireTool(t, "python3")
	r := startRecorded(t)
	conn, err := net.Dial("tcp", r.sim.Addr(wire.RoleIMAP))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second)) // a hang fails instead of blocking the suite
	rd := bufio.NewReader(conn)
	readUntil := func(prefix string) string {
		t.Helper()
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("waiting for %q: %v", prefix, err)
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
		}
	}
	send := func(line string) {
		t.Helper()
		if _, err := conn.Write([]byte(line + "\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	readUntil("* OK")
	send("a1 LOGIN bob builder")
	readUntil("a1 OK")
	send("a2 SELECT INBOX")
	readUntil("a2 OK")
	send("a3 IDLE")
	readUntil("+ ")
	// The message is stored before smtplib's DATA gets its 250, so the
	// server pushes EXISTS to the idling session while (or after) smtplib runs.
	host, port := r.hostPort(wire.RoleSubmission)
	runClient(t, py, "testdata/clients/smtp_send.py", host, port, "starttls", "alice@example.com", "wonderland",
		"alice@example.com", "bob@example.org", "While you idle")
	if line := readUntil("* "); !strings.HasSuffix(line, "EXISTS\r\n") {
		t.Fatalf("expected an EXISTS during IDLE, got %q", line)
	}
	send("DONE")
	readUntil("a3 OK")
	send("a4 LOGOUT")
	readUntil("a4 OK")
	conn.Close()
	lines := r.settle(t)
	requireExplained(t, lines)
	requireNote(t, lines, "EXISTS during IDLE", func(l transcripts.Line) bool {
		return l.Dir == wire.FromServer && l.Code == "EXISTS" && l.Verb == "IDLE"
	}, "another session delivered")
	requireNote(t, lines, "the IDLE continuation", func(l transcripts.Line) bool {
		return l.Dir == wire.FromServer && l.Code == "+"
	}, "idling")
	checkGolden(t, "idle_delivery", lines)
}
