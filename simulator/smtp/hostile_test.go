package smtp

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// cutChunk opens a transaction, announces a 1000-byte last chunk, sends 17
// bytes of it and hangs up (issue 15, point 5), then reads the server's
// answer to the chunk: the hang-up is a half-close of the socket, so the
// client still hears it. Over TLS the end is the socket's, without a TLS
// close_notify, as the simulator's relay passes a client's hang-up on.
func cutChunk(c *client, from, rcpt string) {
	c.t.Helper()
	c.cmd("MAIL FROM:<"+from+">", "250")
	c.cmd("RCPT TO:<"+rcpt+">", "250")
	c.conn.Write([]byte("BDAT 1000 LAST\r\nSubject: cut\r\n\r\nx"))
	raw := c.conn
	if tc, ok := raw.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if err := raw.(*net.TCPConn).CloseWrite(); err != nil {
		c.t.Fatal(err)
	}
	c.expect("451 4.4.2")
}

// BDAT 1000 LAST, 17 bytes, hang-up: go-smtp took the connection's end as
// the chunk's end and delivered the 17 bytes. A cut chunk fails the
// transaction (RFC 3030 §2): nothing is delivered.
func TestBDATCutChunkThenHangUpDeliversNothing(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	cutChunk(conn, "carol@example.net", "bob@example.org")

	r.srv.Close() // waits until the transaction has ended
	if msgs := inbox(t, st, "bob@example.org"); len(msgs) != 0 {
		t.Errorf("a cut BDAT chunk was delivered: %q", msgs)
	}
}

// The same over implicit TLS (port 465's role) and after STARTTLS, where the
// connection's end is seen beneath the TLS; a whole chunk still delivers.
func TestBDATCutChunkOverTLSDeliversNothing(t *testing.T) {
	for _, implicit := range []bool{true, false} {
		st := newStore(t)
		opts := submissionOptions(t, st, nil)
		if implicit {
			opts.Role = wire.RoleSubmissions
		}
		r := start(t, opts)
		open := func() *client { // logged in as alice, over TLS
			if !implicit {
				c := dial(t, r.addr)
				c.login("alice", "wonderland") // STARTTLS first
				return c
			}
			c := dialTLS(t, r.addr)
			c.cmd("EHLO client.example", "250")
			c.cmd("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "235 2.0.0")
			return c
		}
		conn := open()
		cutChunk(conn, "alice@example.com", "alice@example.com")

		other := open()
		other.cmd("MAIL FROM:<alice@example.com>", "250")
		other.cmd("RCPT TO:<alice@example.com>", "250")
		other.send("BDAT 18 LAST")
		other.conn.Write([]byte("Subject: whole\r\n\r\n"))
		other.expect("250 2.0.0 OK: queued as")
		other.cmd("QUIT", "221")

		r.srv.Close() // waits until the cut transaction has ended
		msgs := inbox(t, st, "alice@example.com")
		if len(msgs) != 1 || strings.Contains(msgs[0], "Subject: cut") {
			t.Errorf("implicit TLS %v: want only the whole message, got %q", implicit, msgs)
		}
	}
}

// quotaStore is the default world with storage limits.
func quotaStore(t *testing.T, opts store.Options) *store.Store {
	t.Helper()
	opts.Now = func() time.Time { return testNow }
	st := store.New(opts)
	for _, u := range [][2]string{{"alice@example.com", "wonderland"}, {"bob@example.org", "builder"}} {
		if _, err := st.AddUser(u[0], u[1]); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// message returns a message of exactly n octets (n >= 25), in lines of at
// most 80.
func message(n int) string {
	var b strings.Builder
	b.WriteString("Subject: filler\r\n\r\n")
	for n-b.Len() >= 83 {
		b.WriteString(strings.Repeat("x", 78) + "\r\n")
	}
	b.WriteString(strings.Repeat("x", n-b.Len()-2) + "\r\n")
	return b.String()
}

// An MX that accepted every message (60 of 9.2 MB took the world to 1.1 GB):
// the recipient's quota fills, then RCPT gets 452 4.2.2, a message larger
// than the whole quota 552 5.3.4, one larger than what is left 452 4.2.2
// after DATA, and expunging makes room again.
func TestMXFloodStopsAtMailboxQuota(t *testing.T) {
	st := quotaStore(t, store.Options{MailboxQuotaBytes: 4000})
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	for i := 0; i < 3; i++ { // each copy is about 1,000 octets with its trace headers
		conn.sendMail("carol@example.net", []string{"bob@example.org"}, message(800))
	}
	bob, _ := st.LookupAddress("bob@example.org")
	used := bob.Quota().Used
	if used < 3*800 || used > 4000 {
		t.Fatalf("quota used %d after three messages", used)
	}

	// Larger than what is left: refused after DATA, nothing stored.
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send(message(1500) + ".")
	conn.expect("452 4.2.2")
	// Larger than the whole quota: permanent, at RCPT when SIZE says so.
	conn.cmd("MAIL FROM:<carol@example.net> SIZE=5000", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "552 5.3.4")
	conn.cmd("RSET", "250")
	// Fill it to within a few hundred octets, then RCPT with SIZE=1000 is
	// refused at once.
	conn.sendMail("carol@example.net", []string{"bob@example.org"}, message(int(bob.Quota().Left())-400))
	conn.cmd("MAIL FROM:<carol@example.net> SIZE=1000", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "452 4.2.2")
	conn.cmd("RCPT TO:<alice@example.com>", "250") // other mailboxes are not full
	conn.cmd("RSET", "250")

	// Expunging frees the space.
	inbox := bob.Inbox()
	var uids []uint32
	for _, m := range inbox.Messages() {
		uids = append(uids, m.UID)
	}
	inbox.Expunge(uids, nil)
	if got := bob.Quota().Used; got != 0 {
		t.Errorf("quota used %d after expunging everything, want 0", got)
	}
	conn.cmd("MAIL FROM:<carol@example.net> SIZE=1000", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
}

// The world's cap holds whoever the mail is for: 452 4.3.1 at RCPT once the
// world is full, and after DATA for a message that does not fit.
func TestMXFloodStopsAtWorldCap(t *testing.T) {
	st := quotaStore(t, store.Options{WorldBytes: 3000})
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.sendMail("carol@example.net", []string{"alice@example.com"}, message(1000))
	conn.cmd("MAIL FROM:<carol@example.net>", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send(message(2500) + ".")
	conn.expect("452 4.3.1")
	conn.sendMail("carol@example.net", []string{"bob@example.org"}, message(3000-int(st.Usage().Used)-300))
	conn.cmd("MAIL FROM:<carol@example.net> SIZE=400", "250")
	conn.cmd("RCPT TO:<bob@example.org>", "452 4.3.1")
	conn.cmd("RCPT TO:<alice@example.com>", "452 4.3.1")
	if n := len(inbox(t, st, "bob@example.org")); n != 1 {
		t.Errorf("bob has %d messages, want 1", n)
	}
}

// A NUL or a CR inside a quoted local part went into the stored message's
// Return-Path header (issue 15, point 8): refused with 553 5.1.7.
func TestMailFromQuotedNULOrCRRefused(t *testing.T) {
	st := newStore(t)
	r := start(t, mxOptions(st, nil))
	conn := dial(t, r.addr)
	conn.cmd("EHLO client.example", "250")
	conn.cmd("MAIL FROM:<\"a\x00b\"@example.net>", "553 5.1.7")
	conn.cmd("MAIL FROM:<\"a\rb\"@example.net>", "553 5.1.7")
	conn.cmd("MAIL FROM:<\"a\tb\"@example.net>", "553 5.1.7")
	conn.cmd("MAIL FROM:<\"a b\"@example.net>", "250") // a quoted space is fine
	conn.cmd("RCPT TO:<\"bo\x00b\"@example.org>", "553 5.1.3")
	conn.cmd("RCPT TO:<bob@example.org>", "250")
	conn.cmd("DATA", "354")
	conn.send("Subject: x\r\n\r\nx\r\n.")
	conn.expect("250")
	msgs := inbox(t, st, "bob@example.org")
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "Return-Path: <\"a b\"@example.net>\r\n") {
		t.Errorf("stored: %q", msgs)
	}
}
