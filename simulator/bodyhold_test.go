package simulator

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// The tap reads a plain DATA body for go-smtp and hands it to the session
// (tap.BodyTaker, smtp.Corrector); these tests check over TCP that the
// message stored is the one go-smtp would have read itself.

// stuff dot-stuffs a body the way a client does, and ends it with a last
// line "X" and the terminator. The "X" makes sure go-smtp sees the end
// whatever came before: after CR CR LF it is not at a line start (it
// reads the next byte after a CR, even another CR, as ordinary text).
func stuff(body []byte) []byte {
	out := bytes.ReplaceAll(body, []byte("\r\n."), []byte("\r\n.."))
	if len(out) > 0 && out[0] == '.' {
		out = append([]byte("."), out...)
	}
	return append(out, "X\r\n.\r\n"...)
}

// deliverVia sends one message to bob over the MX listener, in plaintext
// (where the tap may read the body for go-smtp) or after STARTTLS (where
// go-smtp always reads it itself), cut in two writes at cut, and returns
// the final reply and the message as stored, from its first line after
// the Received header.
func deliverVia(t *testing.T, sim *Simulator, tls bool, wireBody []byte, cut int) (string, string) {
	bob, _ := sim.Store().LookupAddress("bob@example.org")
	c := dial(t, sim, wire.RoleMX)
	c.smtpReply()
	c.expectSMTP("EHLO client.example", "250")
	if tls {
		c.expectSMTP("STARTTLS", "220")
		c.startTLS(sim)
		c.expectSMTP("EHLO client.example", "250")
	}
	before := len(bob.Inbox().Messages())
	c.expectSMTP("MAIL FROM:<a@example.net>", "250")
	c.expectSMTP("RCPT TO:<bob@example.org>", "250")
	c.expectSMTP("DATA", "354")
	cut = min(cut, len(wireBody))
	c.conn.Write(wireBody[:cut])
	c.conn.Write(wireBody[cut:])
	reply := c.smtpReply()[:3]
	c.conn.Write([]byte("QUIT\r\n")) // after a 500 for a long line, the server has hung up
	msgs := bob.Inbox().Messages()
	if len(msgs) == before {
		return reply, ""
	}
	raw := string(msgs[len(msgs)-1].Body.Raw)
	i := strings.Index(raw, "; ")
	j := strings.Index(raw[i:], "\r\n")
	rest := raw[i+j+2:]
	// The MX's Authentication-Results field (issue 24) follows, folded.
	if strings.HasPrefix(rest, "Authentication-Results:") {
		for {
			k := strings.Index(rest, "\r\n")
			rest = rest[k+2:]
			if !strings.HasPrefix(rest, "\t") {
				break
			}
		}
	}
	return reply, rest
}

// Whether the tap reads the body or go-smtp does, the same bytes arrive.
func FuzzBodyHoldMatchesGoSMTP(f *testing.F) {
	for _, seed := range []string{
		"Subject: plain\r\n\r\nHello Bob.\r\n",
		"Subject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n",
		".starts with a dot\r\n",
		"bare\nLF\nlines\n.dot after LF\n",
		"bare\rCR\r\n",
		"CR CR LF\r\r\n.x\r\n",
		"no final line end",
		strings.Repeat("L", 1998) + "\r\nshort\r\n",
		strings.Repeat("L", 2100) + "\r\n",
		"",
		"\r\n",
	} {
		f.Add([]byte(seed), 5)
	}
	sim := newSim(f, Options{})
	f.Fuzz(func(t *testing.T, body []byte, cut int) {
		if len(body) > 8192 || cut < 0 {
			return
		}
		w := stuff(body)
		plainReply, plain := deliverVia(t, sim, false, w, cut)
		tlsReply, viaTLS := deliverVia(t, sim, true, w, cut)
		if plainReply != tlsReply || plain != viaTLS {
			t.Fatalf("body %q:\nplaintext %s %q\nTLS       %s %q", body, plainReply, plain, tlsReply, viaTLS)
		}
	})
}

// A client that vanishes half-way through a plain body delivers nothing,
// and the session ends as any dropped connection does.
func TestBodyHoldDropMidBody(t *testing.T) {
	sim := newSim(t, Options{})
	rec := record(sim)
	c := dial(t, sim, wire.RoleMX)
	c.smtpReply()
	c.expectSMTP("EHLO client.example", "250")
	c.expectSMTP("MAIL FROM:<a@example.net>", "250")
	c.expectSMTP("RCPT TO:<bob@example.org>", "250")
	c.expectSMTP("DATA", "354")
	bob, _ := sim.Store().LookupAddress("bob@example.org")
	before := len(bob.Inbox().Messages())
	c.conn.Write([]byte("Subject: cut short\r\n\r\nhalf a"))
	time.Sleep(20 * time.Millisecond)
	c.conn.Close()
	closed := rec.until(t, "the session's end", func(e wire.Event) bool { return e.Kind == wire.Close })
	if !strings.Contains(string(closed.Data), "client closed") {
		t.Errorf("the session ended with %q, want the client's close", closed.Data)
	}
	if n := len(bob.Inbox().Messages()); n != before {
		t.Fatalf("%d messages after a drop mid-body, want %d", n, before)
	}
	// The server goes on serving.
	reply, got := deliverVia(t, sim, false, stuff([]byte("Subject: after\r\n\r\nfine\r\n")), 100)
	if reply != "250" || got != "Subject: after\r\n\r\nfine\r\nX\r\n" {
		t.Fatalf("next delivery: %s %q", reply, got)
	}
}

// bodyHoldMax is the largest body the tap takes for go-smtp (smtp's
// Corrector.BodyLimits).
const bodyHoldMax = 1 << 20

// A body past bodyHoldMax goes to go-smtp from its first byte, and arrives
// whole, as it does over TLS.
func TestBodyHoldLargeBodyFallsBackIntact(t *testing.T) {
	sim := newSim(t, Options{})
	body := []byte("Subject: big\r\n\r\n" + strings.Repeat("0123456789 abcdefghij klmnopqrst uvwxyz ABCDEFGHIJ KLMNOPQRST\r\n", bodyHoldMax/60))
	w := stuff(body)
	plainReply, plain := deliverVia(t, sim, false, w, bodyHoldMax/2)
	tlsReply, viaTLS := deliverVia(t, sim, true, w, bodyHoldMax/2)
	if plainReply != "250" || len(plain) != len(body)+len("X\r\n") || plain != viaTLS || tlsReply != "250" {
		t.Fatalf("plaintext %s %d octets, TLS %s %d octets, want 250 and %d", plainReply, len(plain), tlsReply, len(viaTLS), len(body)+3)
	}
}
