package tui

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// openSandbox goes from home to a sandbox session on the role numbered n
// in the picker (1 submission, 2 mx, 3 pop3, 4 imap, ...).
func openSandbox(t *testing.T, tm *teatest.TestModel, n string, greeting string) {
	t.Helper()
	waitFor(t, tm, "Sandbox")
	tm.Type("sandbox")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "Open a session")
	tm.Type(n)
	waitFor(t, tm, greeting, "laptop>")
}

// A whole message over the MX: the DATA body is typed line by line after
// 354, sent with CRLF endings at the final dot, and the mailbox pane shows
// it in Bob's INBOX, updated live from the store.
func TestSandboxSMTPDataUpdatesMailbox(t *testing.T) {
	tm := startTUI(t, testOptions(t), 110, 40)
	openSandbox(t, tm, "2", "220 ")
	for _, l := range []string{"EHLO laptop.example.com", "MAIL FROM:<carol@example.net>", "RCPT TO:<bob@example.org>", "DATA"} {
		typeLine(tm, l)
	}
	waitFor(t, tm, "354", "body>")
	for _, l := range []string{"Subject: Greetings from the test", "", "Hello Bob.", "."} {
		typeLine(tm, l)
	}
	waitFor(t, tm, "S: 250 ")
	tm.Send(press(tea.KeyF2)) // Explain → Mailbox
	waitFor(t, tm, "[Mailbox]", "Greetings from the test")
	v := finalView(t, tm)
	mustContain(t, v, "bob@example.org", "Greetings from the test", "state:")
}

// STARTTLS on submission: after the 220 go-ahead the TUI's client starts
// TLS, the transcript says so, and the conversation goes on encrypted.
func TestSandboxSTARTTLS(t *testing.T) {
	tm := startTUI(t, testOptions(t), 110, 43) // room for STARTTLS above the second EHLO list
	openSandbox(t, tm, "1", "220 ")
	typeLine(tm, "EHLO laptop.example.com")
	waitFor(t, tm, "250-STARTTLS")
	typeLine(tm, "STARTTLS")
	waitFor(t, tm, "TLS on")
	typeLine(tm, "EHLO laptop.example.com")
	waitFor(t, tm, "250-AUTH")
	tm.Send(press(tea.KeyShiftUp)) // select the newest line: it travelled inside TLS
	v := finalView(t, tm)
	mustContain(t, v, "C: STARTTLS", "TLS on", "≡")
}

// The server hangs up (QUIT): the tab says so, typing is refused with a
// clear message, Enter on an empty line reconnects.
func TestSandboxServerClosesThenReconnect(t *testing.T) {
	tm := startTUI(t, testOptions(t), 100, 30)
	openSandbox(t, tm, "3", "+OK")
	typeLine(tm, "QUIT")
	waitFor(t, tm, "✕", "Enter reconnects")
	typeLine(tm, "STAT")
	waitFor(t, tm, "the connection is closed")
	tm.Send(press(tea.KeyCtrlU))
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "state: AUTHORIZATION")
	typeLine(tm, "USER bob")
	waitFor(t, tm, "C: USER bob")
	v := finalView(t, tm)
	if strings.Contains(v, "✕") {
		t.Errorf("still shown as closed:\n%s", v)
	}
}

// A 1 MB reply line and binary bytes do not break the screen: the line is
// shown cut with its size, control bytes are drawn as symbols.
func TestSandboxHugeReplyAndBinary(t *testing.T) {
	opts := testOptions(t)
	opts.newWorld = func() (world, error) {
		w, err := startLiveWorld(opts)
		if err != nil {
			return nil, err
		}
		huge := "Subject: huge\r\n\r\n" + strings.Repeat("y", 1<<20) + "\r\n"
		if err := w.(*liveWorld).sim.Deliver("alice@example.com", []byte(huge)); err != nil {
			return nil, err
		}
		return w, nil
	}
	tm := startTUI(t, opts, 100, 30)
	openSandbox(t, tm, "3", "+OK")
	typeLine(tm, "USER alice")
	typeLine(tm, "PASS wonderland")
	waitFor(t, tm, "TRANSACTION")
	typeLine(tm, "RETR 4")
	// Wait for the whole answer: a line sent earlier would be shown (truly)
	// in the middle of it, where the tap saw it.
	waitFor(t, tm, "more not shown", "end of the RETR response")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("NOOP \x1b[2J\x00\x07"), Paste: true})
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "NOOP takes no argument")
	v := finalView(t, tm)
	mustContain(t, v, `C: NOOP \x1b[2J\x00\x07`)
	if strings.ContainsAny(v, "\x1b\x00\x07") {
		t.Errorf("raw control bytes reached the screen")
	}
}

// Two named IMAP sessions on one mailbox: "laptop" flags a message, the
// mailbox pane shows the flag, "phone" (switched to with ctrl+n) sees it
// too, both conversations side by side with F8.
func TestSandboxTwoSessions(t *testing.T) {
	tm := startTUI(t, testOptions(t), 140, 40)
	openSandbox(t, tm, "4", "* OK")
	typeLine(tm, "a1 LOGIN alice wonderland")
	typeLine(tm, "a2 SELECT INBOX")
	waitFor(t, tm, "a2 OK")
	typeLine(tm, `a3 STORE 1 +FLAGS (\Flagged)`)
	waitFor(t, tm, "a3 OK")
	tm.Send(press(tea.KeyCtrlT))
	waitFor(t, tm, "Open a session")
	tm.Type("4")
	waitFor(t, tm, "phone>")
	typeLine(tm, "b1 LOGIN alice wonderland")
	typeLine(tm, "b2 FETCH 1 FLAGS")
	waitFor(t, tm, "b2 BAD")
	typeLine(tm, "b3 SELECT INBOX")
	typeLine(tm, "b4 FETCH 1 FLAGS")
	waitFor(t, tm, `FLAGS (\Flagged`)
	tm.Send(press(tea.KeyF8))
	tm.Send(press(tea.KeyF2))
	waitFor(t, tm, "[Mailbox]")
	tm.Send(press(tea.KeyCtrlN))
	waitFor(t, tm, "laptop>")
	v := finalView(t, tm)
	mustContain(t, v, "1 laptop", "2 phone", "a3 OK", "b4 OK", `\Flagged`, "┆")
}

// Watch shows a session the TUI did not open: here the test's own TCP
// client, standing in for a mail program pointed at mailtutor.
func TestWatchShowsOtherClients(t *testing.T) {
	opts := testOptions(t)
	addrs := make(chan string, 1)
	opts.newWorld = func() (world, error) {
		w, err := startLiveWorld(opts)
		if err == nil {
			addrs <- w.Addr(wire.RolePOP3)
		}
		return w, err
	}
	tm := startTUI(t, opts, 100, 30)
	waitFor(t, tm, "Watch real mail programs")
	tm.Type("watch real")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "Users:") // the introduction, with where to connect
	conn, err := net.Dial("tcp", <-addrs)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "USER alice\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, "C: USER alice", "pop3")
	tm.Type("STAT") // typing does nothing while watching
	v := finalView(t, tm)
	mustContain(t, v, "1 s1 pop3", "S: +OK")
	if strings.Contains(v, "STAT") {
		t.Errorf("typing reached a watched session:\n%s", v)
	}
}
