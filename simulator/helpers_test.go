package simulator

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// newSim starts a simulator on port 0 with a manual clock and a throwaway
// state directory, closed at the end of the test.
func newSim(t testing.TB, opts Options) *Simulator {
	t.Helper()
	if opts.StateDir == "" {
		opts.StateDir = t.TempDir()
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	}
	sim, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// client speaks raw lines to one listener.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	// slow makes send write a line a few bytes at a time, so that the
	// server reads it in pieces, as from a slow link or a client that
	// writes each key as it is typed.
	slow bool
}

func dial(t *testing.T, sim *Simulator, role wire.Role) *client {
	t.Helper()
	var conn net.Conn
	var err error
	if role.ImplicitTLS() {
		conn, err = tls.Dial("tcp", sim.Addr(role), &tls.Config{RootCAs: sim.CertPool(), ServerName: "localhost"})
	} else {
		conn, err = net.Dial("tcp", sim.Addr(role))
	}
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (c *client) send(line string) {
	c.t.Helper()
	b := []byte(line + "\r\n")
	for len(b) > 0 {
		n := len(b)
		if c.slow {
			n = min(n, 3)
		}
		if _, err := c.conn.Write(b[:n]); err != nil {
			c.t.Fatalf("send %q: %v", line, err)
		}
		b = b[n:]
		if c.slow {
			time.Sleep(time.Millisecond) // lets the server read what came so far
		}
	}
}

func (c *client) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// smtpReply reads a whole SMTP reply and returns its last line.
func (c *client) smtpReply() string {
	c.t.Helper()
	for {
		l := c.line()
		if len(l) < 4 || l[3] != '-' {
			return l
		}
	}
}

// expectSMTP sends a command and checks the reply starts with want.
func (c *client) expectSMTP(cmd, want string) string {
	c.t.Helper()
	if cmd != "" {
		c.send(cmd)
	}
	got := c.smtpReply()
	if !strings.HasPrefix(got, want) {
		c.t.Fatalf("%q: got %q, want %q...", cmd, got, want)
	}
	return got
}

// imap sends a tagged command and returns every line up to the tagged one.
func (c *client) imap(tag, cmd string) []string {
	c.t.Helper()
	c.send(tag + " " + cmd)
	var out []string
	for {
		l := c.line()
		out = append(out, l)
		if strings.HasPrefix(l, tag+" ") {
			return out
		}
	}
}

// startTLS upgrades the connection after the server's go-ahead.
func (c *client) startTLS(sim *Simulator) {
	c.t.Helper()
	tc := tls.Client(c.conn, &tls.Config{RootCAs: sim.CertPool(), ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		c.t.Fatal(err)
	}
	c.conn = tc
	c.r = bufio.NewReader(tc)
}

// smtpSTARTTLS switches a plaintext SMTP session to TLS and greets again:
// the submission listener offers AUTH only after it.
func (c *client) smtpSTARTTLS(sim *Simulator, ehlo string) {
	c.t.Helper()
	c.expectSMTP("STARTTLS", "220")
	c.startTLS(sim)
	c.expectSMTP("EHLO "+ehlo, "250")
}

func plainAuth(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

// recorder collects wire events for assertions.
type recorder struct {
	sub *wire.Subscription
	got []wire.Event
}

func record(sim *Simulator) *recorder {
	return &recorder{sub: sim.Subscribe(wire.SubscribeOptions{Lossless: true})}
}

// until reads events until pred matches one, failing after a timeout.
func (r *recorder) until(t *testing.T, what string, pred func(wire.Event) bool) wire.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-r.sub.Events():
			r.got = append(r.got, e)
			if pred(e) {
				return e
			}
		case <-timeout:
			t.Fatalf("no event %s; saw %d events", what, len(r.got))
		}
	}
}

func lineIs(dir wire.Dir, prefix string) func(wire.Event) bool {
	return func(e wire.Event) bool {
		return e.Kind == wire.Line && e.Dir == dir && strings.HasPrefix(string(e.Data), prefix)
	}
}

// waitFor waits until the world's snapshot satisfies cond.
func waitFor(t *testing.T, sim *Simulator, what string, cond func(Snapshot) bool) {
	t.Helper()
	changed := make(chan struct{}, 1)
	cancel := sim.Watch(func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	defer cancel()
	timeout := time.After(10 * time.Second)
	for !cond(sim.Snapshot()) {
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// eachPace runs a test with lines sent whole, then a few bytes at a time
// (client.slow): the relay must answer and rewrite both alike.
func eachPace(t *testing.T, test func(t *testing.T, slow bool)) {
	t.Run("whole", func(t *testing.T) { test(t, false) })
	t.Run("in-pieces", func(t *testing.T) { test(t, true) })
}
