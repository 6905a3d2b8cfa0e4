package tui

import (
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// pop3Session speaks POP3 to addr as a small mail program would: every
// command at once (RFC 2449 pipelining), then whatever the server says
// until it hangs up after QUIT.
func pop3Session(t *testing.T, addr string, cmds ...string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, strings.Join(cmds, "\r\n")+"\r\n"); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("POP3 session: %v\n%s", err, out)
	}
	return string(out)
}

// startWatchTUI runs the whole program as `mailtutor watch` does (the
// watch screen at start) and returns it with its world once it runs.
func startWatchTUI(t *testing.T, w, h int) (*teatest.TestModel, world, Options) {
	t.Helper()
	opts := testOptions(t)
	opts.Watch = true
	worlds := make(chan world, 1)
	opts.newWorld = func() (world, error) {
		wld, err := startLiveWorld(opts)
		if err == nil {
			worlds <- wld
		}
		return wld, err
	}
	m := NewModel(opts)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() {
		tm.Quit()
		m.shutdown()
	})
	select {
	case wld := <-worlds:
		return tm, wld, opts
	case <-time.After(30 * time.Second):
		t.Fatal("the mail world did not start")
	}
	return nil, nil, opts
}

// TestWatchFindingsAndFaults: a real POP3 client connects while the watch
// screen is open (opened at start, as `mailtutor watch` does): its session
// shows, and its findings appear beside it with their evidence; the
// ports and passwords stay in sight; a fault switched on from the screen
// changes the next reply; F5 exports the program.
func TestWatchFindingsAndFaults(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		tm, wld, opts := startWatchTUI(t, w, h)
		waitFor(t, tm, "Watch real mail programs", "wonderland")
		pop3 := wld.Addr(wire.RolePOP3)
		out := pop3Session(t, pop3, "USER alice", "PASS wonderland", "UIDL", "RETR 1", "QUIT")
		if !strings.Contains(out, "+OK") || strings.Contains(out, "-ERR") {
			t.Fatalf("the client's session failed:\n%s", out)
		}
		// The session, its findings with their evidence, and still the
		// port and the password.
		waitFor(t, tm, "USER alice", "logged in without encryption")

		// The trainer switches auth-fail on: the fourth fault in the list.
		tm.Send(runes("t"))
		waitFor(t, tm, "Trainer's faults", "[ ] auth-fail")
		for range 3 {
			tm.Send(press(tea.KeyDown))
		}
		tm.Send(press(tea.KeyEnter))
		waitFor(t, tm, "[x] auth-fail", "fault auth-fail on")
		tm.Send(press(tea.KeyEsc))
		out = pop3Session(t, pop3, "USER alice", "PASS wonderland", "QUIT")
		if !strings.Contains(out, "-ERR [AUTH]") {
			t.Fatalf("with auth-fail on, the login did not fail:\n%s", out)
		}
		waitFor(t, tm, "-ERR [AUTH]", "2 s2 pop3 alice") // the reply, then the findings of its session

		// The set-up card, one key away, and back.
		tm.Send(runes("s"))
		waitFor(t, tm, "SET-UP CARD", "password wonderland")
		tm.Send(press(tea.KeyEsc))

		// F5 exports the active program's sessions and findings.
		tm.Send(press(tea.KeyF5))
		waitFor(t, tm, "exported to")
		files, _ := filepath.Glob(filepath.Join(opts.SaveDir, "exports", "*.md"))
		if len(files) != 1 {
			t.Fatalf("exports: %q", files)
		}
		md, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"## Findings", "logged in without encryption", "C: USER alice", "# "} {
			if !strings.Contains(string(md), want) {
				t.Errorf("the export lacks %q:\n%s", want, md)
			}
		}
		page, err := os.ReadFile(strings.TrimSuffix(files[0], ".md") + ".html")
		if err != nil || !strings.Contains(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), "logged in without encryption") {
			t.Errorf("the HTML export: %v\n%.400s", err, page)
		}
		if strings.Contains(string(md), "PASS wonderland") {
			t.Errorf("the export shows the password:\n%s", md)
		}
	})
}

// imapSession logs in over IMAP as a program that names itself with ID.
func imapSession(t *testing.T, addr, name string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, "a ID (\"name\" \""+name+"\")\r\nb LOGIN bob builder\r\nc SELECT INBOX\r\nd LOGOUT\r\n")
	io.Copy(io.Discard, c)
}

// TestWatchFollowPauseFilter: the newest session is followed; paused, a
// new session gets a tab but not the screen; the filter shows one
// program's sessions only.
func TestWatchFollowPauseFilter(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		wld := newTestWorld(t)
		v := newWatch(c, wld, watchOptions{SaveDir: t.TempDir()})
		defer v.close()
		d := drive(t, v)
		d.do(v.Init())
		pop3, imap := wld.Addr(wire.RolePOP3), wld.Addr(wire.RoleIMAP)

		pop3Session(t, pop3, "USER alice", "PASS wonderland", "QUIT")
		d.until("1 s1 pop3 alice")
		imapSession(t, imap, "Thunderbird")
		d.until("2 s2 imap bob")
		if s := v.ws.sessions.current(); s == nil || s.id != "s2" {
			t.Fatalf("following: the active session is %v, want s2", s)
		}
		if w >= 90 {
			d.until("identified itself as Thunderbird")
		}

		// Paused: s3 connects, s2 stays on screen.
		d.send(runes("p"))
		mustContain(t, v.View(), "following paused")
		pop3Session(t, pop3, "USER alice", "PASS wonderland", "QUIT")
		d.until("3 s3 pop3 alice")
		if s := v.ws.sessions.current(); s.id != "s2" {
			t.Errorf("paused: the active session is %s, want s2", s.id)
		}

		// Filter: the first program (the POP3 one, alice) only; ctrl+n
		// moves between its sessions and skips the IMAP one.
		d.send(runes("f"))
		mustContain(t, v.View(), "only: a POP3 program")
		if s := v.ws.sessions.current(); s.id != "s3" {
			t.Errorf("filtered: the active session is %s, want s3 (s2 is another program's)", s.id)
		}
		d.send(press(tea.KeyCtrlN))
		if s := v.ws.sessions.current(); s.id != "s1" {
			t.Errorf("filtered, ctrl+n: the active session is %s, want s1", s.id)
		}
		d.send(runes("f")) // the next program: Thunderbird
		d.send(runes("f")) // every program again
		mustContain(t, v.View(), "showing every program")
		fits(t, v.View(), w, h)
	})
}

// TestWatchTLSRefused: a program that does not trust the certificate
// aborts the handshake; the screen says so in words, with the
// fingerprint to check.
func TestWatchTLSRefused(t *testing.T) {
	eachScreenSize(t, func(t *testing.T, w, h int) {
		c := testCommon(w, h)
		wld := newTestWorld(t)
		v := newWatch(c, wld, watchOptions{SaveDir: t.TempDir()})
		defer v.close()
		d := drive(t, v)
		d.do(v.Init())
		// No root knows the simulator's certificate: Go's client refuses it.
		conn, err := tls.Dial("tcp", wld.Addr(wire.RolePOP3S), &tls.Config{ServerName: "localhost"})
		if err == nil {
			conn.Close()
			t.Fatal("the client trusted the simulator's certificate")
		}
		out := d.until("[TLS failed", "the program did not trust the certificate")
		fits(t, out, w, h)
		if w >= 90 {
			mustContain(t, flat(out), "accept it after checking the fingerprint (SHA-256")
		}
	})
}

// TestWatchSessionBeforeScreen: a session that began before the watch
// screen opened (the sandbox's, an earlier program's) gets its tab, and
// the findings pane says why it has no findings rather than waiting.
func TestWatchSessionBeforeScreen(t *testing.T) {
	c := testCommon(120, 40)
	wld := newTestWorld(t)
	pop3Session(t, wld.Addr(wire.RolePOP3), "USER alice", "PASS wonderland", "QUIT")
	v := newWatch(c, wld, watchOptions{SaveDir: t.TempDir()})
	defer v.close()
	d := drive(t, v)
	d.do(v.Init())
	d.until("1 s1 pop3", "This session began before the watch screen")
}

// TestConnectLine: the row always in sight names ports and passwords, and
// warns when the listeners are open to the network (--listen).
func TestConnectLine(t *testing.T) {
	addrs := func(host string) map[wire.Role]string {
		m := map[wire.Role]string{}
		for r, p := range map[wire.Role]string{wire.RoleIMAP: "2143", wire.RoleIMAPS: "2993", wire.RolePOP3: "2110",
			wire.RolePOP3S: "2995", wire.RoleSubmission: "2587", wire.RoleSubmissions: "2465"} {
			m[r] = net.JoinHostPort(host, p)
		}
		return m
	}
	users := []simulator.UserSpec{{Address: "alice@example.com", Password: "wonderland"}}
	local := connectLine(simulator.SetupInfo{Addrs: addrs("127.0.0.1"), Users: users})
	if local[1] != "IMAP 2143/2993 POP3 2110/2995 SMTP 2587/2465 · alice:wonderland" {
		t.Errorf("short form %q", local[1])
	}
	mustContain(t, local[0], "IMAP 2143, TLS 2993", "alice@example.com wonderland")
	if strings.Contains(local[0], "network") {
		t.Errorf("loopback called open to the network: %q", local[0])
	}
	lab := connectLine(simulator.SetupInfo{Addrs: addrs("192.168.1.10"), Users: users})
	for _, l := range lab {
		mustContain(t, l, "open to the network at 192.168.1.10: ")
	}
}
