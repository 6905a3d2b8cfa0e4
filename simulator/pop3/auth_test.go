package pop3

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/fault"
)

func TestUSERAndPASS(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	c.fail("PASS wonderland", "-ERR send USER first")
	c.fail("USER", "-ERR USER needs exactly one argument")
	c.fail("USER a b", "-ERR USER needs exactly one argument")
	c.ok("USER nobody") // an unknown name is not revealed here...
	c.fail("PASS x", "-ERR [AUTH] invalid user name or password")
	c.fail("PASS wonderland", "-ERR send USER first") // a failed PASS needs a new USER
	c.ok("USER alice")
	c.fail("PASS wrong", "-ERR [AUTH] invalid user name or password")
	c.ok("USER Alice@Example.COM")
	total := len(testMessages[0]) + len(testMessages[1]) + len(testMessages[2])
	if got := c.ok("PASS wonderland"); got != fmt.Sprintf("+OK alice@example.com's maildrop has 3 messages (%d octets)", total) {
		t.Fatalf("PASS = %q", got)
	}
}

func TestPasswordWithSpaces(t *testing.T) {
	w := newWorld(t, nil)
	if _, err := w.store.AddUser("carol@example.net", "open sesame"); err != nil {
		t.Fatal(err)
	}
	w.login(t, "carol", "open sesame").ok("STAT")
}

// apopTimestamp extracts the <...> challenge from a greeting.
func apopTimestamp(t *testing.T, greeting string) string {
	t.Helper()
	ts := regexp.MustCompile(`<[^>]+>`).FindString(greeting)
	if ts == "" {
		t.Fatalf("no timestamp in %q", greeting)
	}
	return ts
}

func apopDigest(timestamp, password string) string {
	sum := md5.Sum([]byte(timestamp + password))
	return hex.EncodeToString(sum[:])
}

func TestAPOP(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	ts := apopTimestamp(t, c.greeting)
	c.fail("APOP alice", "-ERR APOP needs two arguments")
	c.fail("APOP alice xyz", "-ERR APOP digest must be 32 hexadecimal digits")
	c.fail("APOP alice "+apopDigest(ts, "wrong"), "-ERR [AUTH] invalid user name or password")
	c.fail("APOP nobody "+apopDigest(ts, "wonderland"), "-ERR [AUTH] invalid user name or password")
	// A digest made for another session's timestamp is refused (no replay).
	other := w.dial(t)
	c.fail("APOP alice "+apopDigest(apopTimestamp(t, other.greeting), "wonderland"), "-ERR [AUTH]")
	c.ok("APOP alice " + strings.ToUpper(apopDigest(ts, "wonderland")))
	c.ok("STAT")
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestAUTHPLAIN(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	c.fail("AUTH", "-ERR AUTH needs a mechanism")
	c.fail("AUTH CRAM-MD5", "-ERR unsupported SASL mechanism CRAM-MD5")
	c.fail("AUTH PLAIN !!!", "-ERR invalid base64")
	c.fail("AUTH PLAIN "+b64("\x00alice\x00wrong"), "-ERR [AUTH] invalid user name or password")
	c.fail("AUTH PLAIN "+b64("just text"), "-ERR malformed PLAIN response")
	c.fail("AUTH PLAIN "+b64("bob\x00alice\x00wonderland"), "-ERR [AUTH]") // acting as bob: no
	c.fail("AUTH PLAIN =", "-ERR malformed PLAIN response")

	// The continuation form, cancelled, then with bad base64.
	if got := c.cmd("AUTH PLAIN"); got != "+ " {
		t.Fatalf("AUTH PLAIN challenge %q", got)
	}
	c.fail("*", "-ERR authentication cancelled")
	if got := c.cmd("auth plain"); got != "+ " {
		t.Fatalf("AUTH PLAIN challenge %q", got)
	}
	c.fail("%%%", "-ERR invalid base64")
	if got := c.cmd("AUTH PLAIN"); got != "+ " {
		t.Fatalf("AUTH PLAIN challenge %q", got)
	}
	c.ok(b64("\x00alice\x00wonderland"))
	c.ok("STAT")

	// The initial-response form, with the authorization identity set to oneself.
	c2 := w.dial(t)
	c2.ok("AUTH PLAIN " + b64("bob@example.org\x00bob\x00builder"))
	c2.ok("STAT")
}

func TestAUTHLOGIN(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	if got := c.cmd("AUTH LOGIN"); got != "+ "+b64("Username:") {
		t.Fatalf("challenge %q", got)
	}
	if got := c.cmd(b64("alice")); got != "+ "+b64("Password:") {
		t.Fatalf("challenge %q", got)
	}
	c.fail(b64("wrong"), "-ERR [AUTH]")
	if got := c.cmd("AUTH LOGIN " + b64("alice")); got != "+ "+b64("Password:") {
		t.Fatalf("challenge after initial response %q", got)
	}
	c.ok(b64("wonderland"))
	c.ok("STAT")
}

func TestAuthFailFault(t *testing.T) {
	w := newWorld(t, nil)
	w.faults.Enable(fault.AuthFail, true)
	c := w.dial(t)
	ts := apopTimestamp(t, c.greeting)
	c.ok("USER alice")
	c.fail("PASS wonderland", "-ERR [AUTH] invalid user name or password")
	c.fail("APOP alice "+apopDigest(ts, "wonderland"), "-ERR [AUTH]")
	c.fail("AUTH PLAIN "+b64("\x00alice\x00wonderland"), "-ERR [AUTH]")
	if locks := w.store.MaildropLocks(); len(locks) != 0 {
		t.Fatalf("a refused login holds a lock: %+v", locks)
	}
	w.faults.Enable(fault.AuthFail, false)
	c.ok("USER alice")
	c.ok("PASS wonderland")
}

// testTLS makes a throwaway self-signed certificate for 127.0.0.1 and the
// configurations of both ends.
func testTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail.example.com"},
		DNSNames:     []string{"mail.example.com"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool, ServerName: "mail.example.com"}
	return server, client
}

func TestSTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	w := newWorld(t, func(o *Options) { o.TLSConfig = serverTLS })
	c := w.dial(t)
	if caps := c.multi("CAPA"); !slices.Contains(caps, "STLS") {
		t.Fatalf("CAPA lacks STLS: %q", caps)
	}
	c.fail("STLS now", "-ERR STLS takes no argument")
	c.ok("USER bob") // forgotten by STLS
	if got := c.ok("STLS"); got != "+OK Begin TLS negotiation" {
		t.Fatalf("STLS = %q", got)
	}
	c.startTLS(clientTLS)
	if caps := c.multi("CAPA"); slices.Contains(caps, "STLS") || !slices.Contains(caps, "USER") {
		t.Fatalf("CAPA after STLS: %q", caps)
	}
	c.fail("STLS", "-ERR the connection is already encrypted")
	c.fail("PASS builder", "-ERR send USER first")
	c.ok("USER alice")
	c.ok("PASS wonderland")
	c.fail("STLS", "-ERR STLS is only valid in the AUTHORIZATION state")
	if got := unstuff(c.multi("RETR 1")); got != testMessages[0] {
		t.Fatalf("RETR over TLS = %q", got)
	}
	c.ok("QUIT")

	// Without a TLS configuration there is no STLS.
	plain := newWorld(t, nil).dial(t)
	plain.fail("STLS", "-ERR STLS is not available")
}

func TestRequireTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	w := newWorld(t, func(o *Options) { o.TLSConfig = serverTLS; o.RequireTLS = true })
	c := w.dial(t)
	caps := c.multi("CAPA")
	if slices.Contains(caps, "USER") || slices.Contains(caps, "SASL PLAIN LOGIN") || !slices.Contains(caps, "STLS") {
		t.Fatalf("CAPA while TLS is required: %q", caps)
	}
	const refused = "-ERR [AUTH] TLS required before authentication"
	c.fail("USER alice", refused)
	c.fail("PASS wonderland", "-ERR send USER first")
	c.fail("APOP alice "+apopDigest(apopTimestamp(t, c.greeting), "wonderland"), refused)
	c.fail("AUTH PLAIN "+b64("\x00alice\x00wonderland"), refused)
	c.ok("STLS")
	c.startTLS(clientTLS)
	c.ok("USER alice")
	c.ok("PASS wonderland")
}

func TestTLSRequiredFault(t *testing.T) {
	w := newWorld(t, nil)
	w.faults.Enable(fault.TLSRequired, true)
	c := w.dial(t)
	c.fail("USER alice", "-ERR [AUTH] TLS required before authentication")
	w.faults.Enable(fault.TLSRequired, false)
	c.ok("USER alice")
	c.ok("PASS wonderland")
}

// TestImplicitTLS is the pop3s role: the listener hands the server *tls.Conn
// values, so the session is secure from the start.
func TestImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	w := newWorld(t, func(o *Options) { o.RequireTLS = true; o.TLSConfig = serverTLS })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go w.srv.Serve(tls.NewListener(l, serverTLS))
	conn, err := tls.Dial("tcp", l.Addr().String(), clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	if g := c.line(); !strings.HasPrefix(g, "+OK") {
		t.Fatal(g)
	}
	if caps := c.multi("CAPA"); slices.Contains(caps, "STLS") || !slices.Contains(caps, "USER") {
		t.Fatalf("CAPA on pop3s: %q", caps)
	}
	c.fail("STLS", "-ERR the connection is already encrypted")
	c.ok("USER bob")
	c.ok("PASS builder")
	c.ok("QUIT")
}
