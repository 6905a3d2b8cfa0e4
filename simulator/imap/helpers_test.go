package imap

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// world is a store with alice and bob and a server on 127.0.0.1:0.
type world struct {
	st    *store.Store
	srv   *Server
	addr  string
	alice *store.User
	bob   *store.User
}

var testDate = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func newWorld(t testing.TB, opts Options) *world {
	t.Helper()
	return newWorldStore(t, store.Options{}, opts)
}

// newWorldStore is newWorld over a store with the given options (limits).
func newWorldStore(t testing.TB, so store.Options, opts Options) *world {
	t.Helper()
	so.Now = func() time.Time { return testDate }
	st := store.New(so)
	alice, err := st.AddUser("alice@example.com", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := st.AddUser("bob@example.org", "builder")
	if err != nil {
		t.Fatal(err)
	}
	opts.Store = st
	srv := New(opts)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		l.Close()
		<-done
	})
	return &world{st: st, srv: srv, addr: l.Addr().String(), alice: alice, bob: bob}
}

func (w *world) deliver(t testing.TB, mb *store.Mailbox, raw string) uint32 {
	t.Helper()
	uid, err := mb.Append([]byte(raw), nil, testDate, nil)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// client speaks raw IMAP lines.
type client struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func (w *world) dial(t testing.TB) *client {
	t.Helper()
	conn, err := net.Dial("tcp", w.addr)
	if err != nil {
		t.Fatal(err)
	}
	// A safety net against a hung server, not a synchronisation tool.
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	greeting := c.line()
	if !strings.HasPrefix(greeting, "* OK") {
		t.Fatalf("greeting: %q", greeting)
	}
	return c
}

// login dials and logs alice (or another user) in.
func (w *world) login(t testing.TB, user, pass string) *client {
	c := w.dial(t)
	c.ok("l0 LOGIN " + user + " " + pass)
	return c
}

// line reads one line without its CRLF. Literals are read whole and appended
// as "{n}\r\n<bytes>", so a reply with a literal stays one string.
func (c *client) line() string {
	c.t.Helper()
	var sb strings.Builder
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read: %v (so far %q)", err, sb.String()+l)
		}
		sb.WriteString(l)
		trimmed := strings.TrimSuffix(l, "\r\n")
		if n, ok := literalSize(trimmed); ok {
			buf := make([]byte, n)
			if _, err := io.ReadFull(c.r, buf); err != nil {
				c.t.Fatalf("read literal: %v", err)
			}
			sb.Write(buf)
			continue
		}
		return strings.TrimSuffix(sb.String(), "\r\n")
	}
}

func literalSize(l string) (int, bool) {
	if !strings.HasSuffix(l, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(l, '{')
	if i < 0 {
		return 0, false
	}
	n := 0
	for _, r := range strings.TrimSuffix(l[i+1:len(l)-1], "+") {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, s+"\r\n"); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// cmd sends a tagged command and returns the untagged lines and the tagged one.
func (c *client) cmd(s string) (untagged []string, tagged string) {
	c.t.Helper()
	tag, _, _ := strings.Cut(s, " ")
	c.send(s)
	return c.until(tag)
}

func (c *client) until(tag string) (untagged []string, tagged string) {
	c.t.Helper()
	for {
		l := c.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, l
		}
		untagged = append(untagged, l)
	}
}

// ok runs a command that must succeed and returns its untagged lines.
func (c *client) ok(s string) []string {
	c.t.Helper()
	u, tagged := c.cmd(s)
	tag, _, _ := strings.Cut(s, " ")
	if !strings.HasPrefix(tagged, tag+" OK") {
		c.t.Fatalf("%s\n  untagged: %q\n  tagged: %q", s, u, tagged)
	}
	return u
}

// expect runs a command and checks its tagged reply starts with want ("a1 NO [TRYCREATE]").
func (c *client) expect(s, want string) []string {
	c.t.Helper()
	u, tagged := c.cmd(s)
	if !strings.HasPrefix(tagged, want) {
		c.t.Fatalf("%s\n  untagged: %q\n  tagged: %q, want prefix %q", s, u, tagged, want)
	}
	return u
}

func has(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func hasPrefix(lines []string, want string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, want) {
			return true
		}
	}
	return false
}

func mustHave(t testing.TB, lines []string, want string) {
	t.Helper()
	if !has(lines, want) {
		t.Fatalf("missing %q in:\n%s", want, strings.Join(lines, "\n"))
	}
}

func plain(from, to, subject, body string) string {
	return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: Sat, 14 Mar 2026 09:00:00 +0000\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.com>\r\n\r\n" + body + "\r\n"
}
