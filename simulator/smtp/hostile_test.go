package smtp

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"

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
		opts := submissionOptions(st, nil)
		opts.TLSConfig = selfSigned(t)
		if implicit {
			opts.Role = wire.RoleSubmissions
		}
		r := start(t, opts)
		open := func() *client {
			if implicit {
				return dialTLS(t, r.addr)
			}
			c := dial(t, r.addr)
			c.cmd("EHLO client.example", "250")
			c.startTLS()
			return c
		}
		conn := open()
		conn.login("alice", "wonderland")
		cutChunk(conn, "alice@example.com", "alice@example.com")

		other := open()
		other.login("alice", "wonderland")
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
