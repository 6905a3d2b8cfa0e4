package pop3

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// The messages in alice's INBOX for every test. Message 2 has lines that
// start with a dot; message 3 has a multi-line body for TOP.
var testMessages = []string{
	"From: bob@example.org\r\nSubject: hello\r\n\r\nHello Alice.\r\n",
	"From: bob@example.org\r\nSubject: dots\r\n\r\nline one\r\n.hidden line\r\n..two dots\r\n.\r\nend\r\n",
	"From: carol@example.net\r\nSubject: long\r\n\r\nl1\r\nl2\r\nl3\r\nl4\r\n",
}

// world is a store with alice (three messages) and bob (one) and a server
// listening on 127.0.0.1:0.
type world struct {
	store  *store.Store
	faults *fault.Set
	srv    *Server
	addr   string
	served chan error // Serve's return value
}

func newWorld(t testing.TB, configure func(*Options)) *world {
	t.Helper()
	st := store.New(store.Options{Now: func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }})
	alice, err := st.AddUser("alice@example.com", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := st.AddUser("bob@example.org", "builder")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range testMessages {
		if _, err := alice.Inbox().Append([]byte(m), nil, time.Time{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bob.Inbox().Append([]byte("Subject: for bob\r\n\r\nHi Bob.\r\n"), nil, time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	w := &world{store: st, faults: fault.NewSet(), served: make(chan error, 1)}
	opts := Options{Store: st, Hostname: "mail.example.com", Faults: w.faults}
	if configure != nil {
		configure(&opts)
	}
	w.srv = New(opts)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.addr = l.Addr().String()
	go func() { w.served <- w.srv.Serve(l) }()
	t.Cleanup(func() { w.srv.Close() })
	return w
}

// client speaks raw POP3 lines over TCP.
type client struct {
	t        testing.TB
	conn     net.Conn
	r        *bufio.Reader
	greeting string
}

// dial connects and reads the greeting, which must be +OK.
func (w *world) dial(t testing.TB) *client {
	t.Helper()
	conn, err := net.Dial("tcp", w.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	c.greeting = c.line()
	if !strings.HasPrefix(c.greeting, "+OK ") {
		t.Fatalf("greeting %q", c.greeting)
	}
	return c
}

// login dials and logs in with USER/PASS.
func (w *world) login(t testing.TB, user, pass string) *client {
	t.Helper()
	c := w.dial(t)
	c.ok("USER " + user)
	c.ok("PASS " + pass)
	return c
}

func (c *client) send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

// line reads one line without CRLF.
func (c *client) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, l)
	}
	if !strings.HasSuffix(l, "\r\n") {
		c.t.Fatalf("line %q does not end with CRLF", l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// cmd sends a command and returns the first line of the reply.
func (c *client) cmd(line string) string {
	c.t.Helper()
	c.send(line)
	return c.line()
}

// ok sends a command whose reply must start with +OK.
func (c *client) ok(line string) string {
	c.t.Helper()
	reply := c.cmd(line)
	if !strings.HasPrefix(reply, "+OK") {
		c.t.Fatalf("%s: got %q, want +OK", line, reply)
	}
	return reply
}

// fail sends a command whose reply must start with want (a "-ERR..." prefix).
func (c *client) fail(line, want string) string {
	c.t.Helper()
	reply := c.cmd(line)
	if !strings.HasPrefix(reply, want) {
		c.t.Fatalf("%s: got %q, want %q...", line, reply, want)
	}
	return reply
}

// multi sends a command with a multi-line answer and returns the lines
// between the +OK and the final ".", exactly as sent (still dot-stuffed).
func (c *client) multi(line string) []string {
	c.t.Helper()
	c.ok(line)
	return c.body()
}

// body reads multi-line response lines up to the terminating ".".
func (c *client) body() []string {
	c.t.Helper()
	var out []string
	for {
		l := c.line()
		if l == "." {
			return out
		}
		out = append(out, l)
	}
}

// startTLS runs the client side of the handshake after STLS's +OK.
func (c *client) startTLS(cfg *tls.Config) {
	c.t.Helper()
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS handshake: %v", err)
	}
	c.conn = tc
	c.r = bufio.NewReader(tc)
}

// unstuff removes the dot-stuffing of multi-line response lines and joins
// them with CRLF, giving back the original data.
func unstuff(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimPrefix(l, "."))
		b.WriteString("\r\n")
	}
	return b.String()
}
