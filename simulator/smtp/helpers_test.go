package smtp

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// testNow is the fixed clock of every test, so headers can be compared.
var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// newStore returns the default world: alice@example.com and bob@example.org.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	st := store.New(store.Options{Now: func() time.Time { return testNow }})
	if _, err := st.AddUser("alice@example.com", "wonderland"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUser("bob@example.org", "builder"); err != nil {
		t.Fatal(err)
	}
	return st
}

// running is a server listening on 127.0.0.1:0.
type running struct {
	srv  *Server
	addr string
}

// start runs a server for the given options (Store, Now and Hostname get
// defaults) and closes it when the test ends.
func start(t testing.TB, opts Options) *running {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	if opts.Hostname == "" {
		opts.Hostname = "mail.example.com"
	}
	srv := New(opts)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Role.ImplicitTLS() {
		l = tls.NewListener(l, opts.TLSConfig)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve returned %v", err)
		}
	})
	return &running{srv: srv, addr: l.Addr().String()}
}

// client speaks raw SMTP lines over TCP, like a learner at a terminal.
type client struct {
	t        testing.TB
	conn     net.Conn
	r        *bufio.Reader
	greeting string
}

// dial connects and checks the 220 greeting.
func dial(t testing.TB, addr string) *client {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	c.greeting = c.expect("220")
	return c
}

// dialTLS connects with implicit TLS (the submissions role).
func dialTLS(t testing.TB, addr string) *client {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	c.greeting = c.expect("220")
	return c
}

// reply reads one reply, multi-line or not, and returns its lines.
func (c *client) reply() ([]string, error) {
	var lines []string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return lines, err
		}
		line = strings.TrimRight(line, "\r\n")
		lines = append(lines, line)
		if len(line) < 4 || line[3] != '-' {
			return lines, nil
		}
	}
}

// expect reads a reply and checks that its last line starts with want
// ("250", "550 5.1.1"); it returns the whole reply joined by newlines.
func (c *client) expect(want string) string {
	c.t.Helper()
	lines, err := c.reply()
	if err != nil {
		c.t.Fatalf("reading reply (want %q): %v (got %q)", want, err, lines)
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, want) {
		c.t.Fatalf("want reply %q, got %q", want, strings.Join(lines, " | "))
	}
	return strings.Join(lines, "\n")
}

// send writes one command line with CRLF.
func (c *client) send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("writing %q: %v", line, err)
	}
}

// cmd sends a command and checks the reply code, like mailpit's cmdCode.
func (c *client) cmd(line, want string) string {
	c.t.Helper()
	c.send(line)
	return c.expect(want)
}

// login runs EHLO, STARTTLS (submission offers AUTH only over TLS), EHLO
// again and AUTH PLAIN with the given credentials.
func (c *client) login(user, pass string) {
	c.t.Helper()
	c.cmd("EHLO client.example", "250")
	c.startTLS()
	c.cmd("EHLO client.example", "250")
	c.cmd("AUTH PLAIN "+b64("\x00"+user+"\x00"+pass), "235 2.0.0")
}

// startTLS upgrades a raw client after the server's 220 go-ahead.
func (c *client) startTLS() {
	c.t.Helper()
	c.cmd("STARTTLS", "220 2.0.0")
	tc := tls.Client(c.conn, &tls.Config{InsecureSkipVerify: true, ServerName: "mail.example.com"})
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS handshake: %v", err)
	}
	c.conn = tc
	c.r = bufio.NewReader(tc)
}

// dialSTARTTLS connects to the plaintext submission listener and switches
// to TLS (EHLO, STARTTLS); the caller says EHLO again, as RFC 3207 §4.2 wants.
func dialSTARTTLS(t testing.TB, addr string) *client {
	t.Helper()
	c := dial(t, addr)
	c.cmd("EHLO client.example", "250")
	c.startTLS()
	return c
}

// sendMail runs one whole transaction whose recipients are all accepted.
func (c *client) sendMail(from string, to []string, body string) string {
	c.t.Helper()
	c.cmd("MAIL FROM:<"+from+">", "250")
	for _, rcpt := range to {
		c.cmd("RCPT TO:<"+rcpt+">", "250")
	}
	c.cmd("DATA", "354")
	c.send(strings.TrimSuffix(body, "\r\n") + "\r\n.")
	return c.expect("250 2.0.0")
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// inbox returns the raw messages in a user's INBOX.
func inbox(t testing.TB, st *store.Store, addr string) []string {
	t.Helper()
	u, ok := st.LookupAddress(addr)
	if !ok {
		t.Fatalf("no user %s", addr)
	}
	var out []string
	for _, m := range u.Inbox().Messages() {
		out = append(out, string(m.Body.Raw))
	}
	return out
}

// selfSigned makes a throwaway certificate for STARTTLS and implicit TLS.
func selfSigned(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail.example.com"},
		DNSNames:     []string{"mail.example.com"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
}

// mxOptions and submissionOptions are the two usual set-ups over one store.
func mxOptions(st *store.Store, faults *fault.Set) Options {
	return Options{Store: st, Role: wire.RoleMX, Hostname: "mx.example.org", Faults: faults}
}

// submissionOptions offers STARTTLS: without it no one could log in, since
// AUTH waits for TLS by default.
func submissionOptions(t testing.TB, st *store.Store, faults *fault.Set) Options {
	return Options{Store: st, Role: wire.RoleSubmission, Faults: faults, TLSConfig: selfSigned(t)}
}

const testBody = "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hello\r\n\r\nHello Bob.\r\n"

// rawDial connects and reads the greeting without a testing.T, for
// goroutines and benchmarks' helpers.
func rawDial(addr string) (*client, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &client{conn: conn, r: bufio.NewReader(conn)}
	lines, err := c.reply()
	if err != nil {
		conn.Close()
		return nil, err
	}
	c.greeting = strings.Join(lines, "\n")
	return c, nil
}
