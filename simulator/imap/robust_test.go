package imap

import (
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtutor/mailtutor/simulator/fault"
)

func TestAuthAndFaults(t *testing.T) {
	faults := fault.NewSet()
	w := newWorld(t, Options{Faults: faults})

	// AUTHENTICATE PLAIN goes through the same Login.
	c := w.dial(t)
	resp := base64.StdEncoding.EncodeToString([]byte("\x00alice@example.com\x00wonderland"))
	c.ok("a1 AUTHENTICATE PLAIN " + resp)

	faults.Enable(fault.AuthFail, true)
	c = w.dial(t)
	c.expect("b1 LOGIN alice wonderland", "b1 NO [AUTHENTICATIONFAILED]")
	faults.Enable(fault.AuthFail, false)

	faults.Enable(fault.TLSRequired, true)
	c = w.dial(t)
	c.expect("c1 LOGIN alice wonderland", "c1 NO [PRIVACYREQUIRED]")
	faults.Enable(fault.TLSRequired, false)

	// RequireTLS on the listener: the library advertises LOGINDISABLED.
	strict := newWorld(t, Options{RequireTLS: true})
	c = strict.dial(t)
	u := c.ok("d1 CAPABILITY")
	if !strings.Contains(u[0], "LOGINDISABLED") {
		t.Fatalf("CAPABILITY without LOGINDISABLED: %q", u)
	}
	c.expect("d2 LOGIN alice wonderland", "d2 NO [PRIVACYREQUIRED]")
}

func TestBadInput(t *testing.T) {
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "keep", "k"))

	// Before login an unknown command ends the session (go-imap's defence
	// against cross-protocol attacks): BYE, then the connection closes.
	c := w.dial(t)
	c.send("LOGIN bob pw") // a learner forgetting the tag: "LOGIN" is the tag, "bob" the command
	if l := c.line(); l != "LOGIN BAD Unknown command" {
		t.Fatalf("want BAD, got %q", l)
	}
	if l := c.line(); !strings.HasPrefix(l, "* BYE") {
		t.Fatalf("want BYE, got %q", l)
	}

	// After login: BAD and the session goes on.
	c = w.login(t, "alice", "wonderland")
	c.expect("a1 FROBNICATE", "a1 BAD")
	c.expect("a2 FETCH 1 FLAGS", "a2 BAD") // not selected
	c.ok("a3 SELECT INBOX")
	// go-imap answers a malformed sequence set NO [SERVERBUG], not BAD (library behaviour).
	c.expect("a4 FETCH x FLAGS", "a4 NO")
	c.expect("a5 STORE 1 +FLAGS (\\Bogus", "a5 BAD")
	c.expect("a6 SELECT \"\xff\xfe\"", "a6 ") // invalid UTF-8: any tagged reply, no crash
	c.ok("a7 NOOP")

	// A 1 MB line: the library gives up on the connection, the server lives on.
	big := w.login(t, "alice", "wonderland")
	big.send("b1 SEARCH SUBJECT " + strings.Repeat("x", 1<<20))
	// Whatever it says, it must hang up (a reset is fine: our line was unread).
	if _, err := io.Copy(io.Discard, big.r); err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("1 MB line: server kept the connection: %v", err)
		}
	}
	c.ok("a8 NOOP")

	// A client that vanishes mid-literal appends nothing.
	ended := make(chan int, 8)
	w.srv.mu.Lock()
	w.srv.sessionEnded = func(open int) { ended <- open }
	w.srv.mu.Unlock()
	gone := w.login(t, "alice", "wonderland")
	gone.send("c1 APPEND INBOX {100}")
	if l := gone.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("APPEND continuation: %q", l)
	}
	io.WriteString(gone.conn, "Subject: half\r\n\r\nonly part of it")
	gone.conn.Close()
	for open := range ended { // until only c's session is left
		if open == 1 {
			break
		}
	}
	if n := w.alice.Inbox().Status().Messages; n != 1 {
		t.Fatalf("INBOX has %d messages, want 1", n)
	}
	c.ok("a9 NOOP")
}

func TestCloseSaysBye(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.login(t, "alice", "wonderland")
	c.ok("a1 SELECT INBOX")
	done := make(chan error, 1)
	go func() { done <- w.srv.Close() }()
	if l := c.line(); !strings.HasPrefix(l, "* BYE") {
		t.Fatalf("want BYE on shutdown, got %q", l)
	}
	if err := <-done; err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// TestImapclient drives the server with go-imap's own client, over STARTTLS.
func TestImapclient(t *testing.T) {
	cert := testCert(t)
	w := newWorld(t, Options{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, RequireTLS: true})
	w.deliver(t, w.alice.Inbox(), multipartMsg)
	c, err := imapclient.DialStartTLS(w.addr, &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice", "wonderland").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true}, UID: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	env := msgs[0].Envelope
	if env.Subject != "Grüße and report" || len(env.From) != 1 || env.From[0].Name != "Jörg" || msgs[0].UID != 1 {
		t.Fatalf("envelope: %+v", env)
	}
	mp, ok := msgs[0].BodyStructure.(*imap.BodyStructureMultiPart)
	if !ok || len(mp.Children) != 2 || mp.Subtype != "mixed" {
		t.Fatalf("bodystructure: %#v", msgs[0].BodyStructure)
	}
	data, err := c.Move(imap.SeqSetNum(1), "Archive").Wait()
	if err != nil || data.DestUIDs.String() != "1" {
		t.Fatalf("MOVE: %+v %v", data, err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
}
