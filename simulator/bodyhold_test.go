package simulator

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

func newHold() *bodyHold { return &bodyHold{maxLine: 2000, maxSize: 10 << 20} }

// feedHold gives h the wire bytes in chunks of size k and returns the
// verdict that ended it and the bytes add returned with it.
func feedHold(h *bodyHold, wireBytes []byte, k int) (holdVerdict, []byte) {
	h.start()
	for len(wireBytes) > 0 {
		n := min(k, len(wireBytes))
		rest, v := h.add(wireBytes[:n])
		wireBytes = wireBytes[n:]
		if v != holdMore {
			return v, append(append([]byte(nil), rest...), wireBytes...)
		}
	}
	return holdMore, nil
}

// A plain body, however the reads cut it, is held whole; the library gets
// the ".\r\n" that ends it and whatever the client sent after it.
func TestBodyHoldTakesPlainBodies(t *testing.T) {
	long := strings.Repeat("x", 1990)
	bodies := []string{
		"Subject: hi\r\n\r\nHello.\r\n",
		"\r\n",
		"a\r\n\r\n\r\nb\r\n",
		"Subject: dots.\r\n\r\nend with a dot.\r\nx.\r\n",
		long + "\r\n",
		"8-bit: \xc3\xa9t\xc3\xa9, NUL \x00 and tab \t\r\n",
	}
	for _, body := range bodies {
		for k := 1; k <= len(body)+8; k++ {
			h := newHold()
			v, rest := feedHold(h, []byte(body+".\r\nQUIT\r\n"), k)
			if v != holdDone {
				t.Fatalf("body %q in chunks of %d: verdict %v, want done", body, k, v)
			}
			got, ok := h.take()
			if !ok || string(got) != body {
				t.Fatalf("body %q in chunks of %d: took %q, %v", body, k, got, ok)
			}
			if string(rest) != ".\r\nQUIT\r\n" {
				t.Fatalf("body %q in chunks of %d: library gets %q", body, k, rest)
			}
		}
	}
}

// An empty body is the terminator alone: nothing is held or taken.
func TestBodyHoldEmptyBody(t *testing.T) {
	h := newHold()
	v, rest := feedHold(h, []byte(".\r\n"), 1)
	if _, ok := h.take(); v != holdDone || ok || string(rest) != ".\r\n" {
		t.Fatalf("verdict %v, rest %q, took %v", v, rest, ok)
	}
}

// Anything go-smtp would change or refuse goes back to it as it came.
func TestBodyHoldFallsBack(t *testing.T) {
	cases := map[string]string{
		"a stuffed line":              "a\r\n..b\r\n.\r\n",
		"a stuffed first line":        "..a\r\n.\r\n",
		"a dot line that is not last": "a\r\n.x\r\n.\r\n",
		"a bare LF":                   "a\nb\r\n.\r\n",
		"a dot after a bare LF":       "a\n.\r\n",
		"a bare CR":                   "a\rb\r\n.\r\n",
		"CR CR LF":                    "a\r\r\n.\r\n",
		"a long line":                 strings.Repeat("y", 1999) + "\r\n.\r\n",
		"a long line, unfinished":     strings.Repeat("y", 3000),
	}
	for name, in := range cases {
		for _, k := range []int{1, 3, 7, len(in)} {
			h := newHold()
			v, rest := feedHold(h, []byte(in), k)
			if v != holdFallBack {
				t.Errorf("%s in chunks of %d: verdict %v, want fall-back", name, k, v)
				continue
			}
			if string(rest) != in {
				t.Errorf("%s in chunks of %d: library gets %q, want every byte as sent", name, k, rest)
			}
			if _, ok := h.take(); ok {
				t.Errorf("%s: a body was left to take after a fall-back", name)
			}
		}
	}
	h := &bodyHold{maxLine: 2000, maxSize: 100}
	big := strings.Repeat("0123456789abcdefghi\r\n", 10) + ".\r\n"
	if v, rest := feedHold(h, []byte(big), 50); v != holdFallBack || string(rest) != big {
		t.Errorf("a body over the size limit: verdict %v", v)
	}
}

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

func (v holdVerdict) String() string {
	return [...]string{"more", "done", "fall-back"}[v]
}

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
