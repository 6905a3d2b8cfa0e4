package main

import (
	"bufio"
	"crypto/tls"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// TestAdvertisedCapabilitiesAreExplained reads what a running simulator
// really advertises (EHLO keywords on every SMTP listener before and after
// STARTTLS, POP3 CAPA before and after STLS and login, IMAP CAPABILITY
// before and after STARTTLS and login) and fails for anything the knowledge
// base cannot explain: whatever the servers learn to offer, the tutor must
// be able to say what it is.
func TestAdvertisedCapabilitiesAreExplained(t *testing.T) {
	sim, err := simulator.New(simulator.Options{Start: goldenStart, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	// seen maps "proto key" to where it was advertised, for the error message.
	seen := map[string][]string{}
	add := func(proto wire.Proto, where string, keys []string) {
		if len(keys) == 0 {
			t.Errorf("%s %s: nothing advertised", proto, where)
		}
		for _, k := range keys {
			id := string(proto) + "\t" + k
			seen[id] = append(seen[id], where)
		}
	}

	for _, role := range []wire.Role{wire.RoleMX, wire.RoleSubmission, wire.RoleSubmissions} {
		c := dialProto(t, sim, role)
		c.expect("220")
		add(wire.SMTP, string(role)+" EHLO", c.ehlo())
		if !role.ImplicitTLS() {
			c.send("STARTTLS")
			c.expect("220")
			c.startTLS()
			add(wire.SMTP, string(role)+" EHLO after STARTTLS", c.ehlo())
		}
		c.close()
	}

	for _, role := range []wire.Role{wire.RolePOP3, wire.RolePOP3S} {
		c := dialProto(t, sim, role)
		c.expect("+OK")
		add(wire.POP3, string(role)+" CAPA", c.capa())
		if !role.ImplicitTLS() {
			c.send("STLS")
			c.expect("+OK")
			c.startTLS()
			add(wire.POP3, string(role)+" CAPA after STLS", c.capa())
		}
		c.send("USER bob")
		c.expect("+OK")
		c.send("PASS builder")
		c.expect("+OK")
		add(wire.POP3, string(role)+" CAPA after login", c.capa())
		c.send("QUIT")
		c.expect("+OK")
		c.close()
	}

	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		c := dialProto(t, sim, role)
		greeting := c.expect("* ")
		add(wire.IMAP, string(role)+" greeting", imapCodeCaps(greeting))
		add(wire.IMAP, string(role)+" CAPABILITY", c.imapCapability("c1"))
		if !role.ImplicitTLS() {
			c.send("t1 STARTTLS")
			c.expect("t1 OK")
			c.startTLS()
			add(wire.IMAP, string(role)+" CAPABILITY after STARTTLS", c.imapCapability("c2"))
		}
		c.send("l1 LOGIN alice wonderland")
		ok := c.expect("l1 OK")
		add(wire.IMAP, string(role)+" LOGIN's [CAPABILITY]", imapCodeCaps(ok))
		add(wire.IMAP, string(role)+" CAPABILITY after login", c.imapCapability("c3"))
		c.send("o1 LOGOUT")
		c.expect("o1 OK")
		c.close()
	}

	var missing []string
	for id, where := range seen {
		proto, key, _ := strings.Cut(id, "\t")
		p := wire.Proto(proto)
		if _, ok := kb.Lookup(p, kb.Capability, key); !ok {
			missing = append(missing, proto+" capability "+key+" (advertised in "+strings.Join(where, ", ")+")")
		}
		// The SASL mechanisms offered must be explained too.
		for _, mech := range mechanisms(p, key) {
			if _, ok := kb.Lookup(p, kb.Mechanism, mech); !ok {
				missing = append(missing, proto+" mechanism "+mech+" (from "+key+")")
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("advertised but not in transcripts/kb:\n%s", strings.Join(missing, "\n"))
	}
	// The test must have read the real thing, not an empty list.
	for _, want := range []string{"smtp\tAUTH PLAIN LOGIN", "smtp\tSTARTTLS", "pop3\tSTLS", "pop3\tSASL PLAIN LOGIN", "imap\tIDLE", "imap\tAUTH=PLAIN"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("expected %q among the advertised capabilities", strings.ReplaceAll(want, "\t", " "))
		}
	}
}

// mechanisms lists the SASL mechanisms an advertisement names: SMTP
// "AUTH PLAIN LOGIN", POP3 "SASL PLAIN LOGIN", IMAP "AUTH=PLAIN".
func mechanisms(p wire.Proto, key string) []string {
	if p == wire.IMAP {
		if m, ok := strings.CutPrefix(key, "AUTH="); ok {
			return []string{m}
		}
		return nil
	}
	f := strings.Fields(key)
	if len(f) > 1 && (f[0] == "AUTH" || f[0] == "SASL") {
		return f[1:]
	}
	return nil
}

// imapCodeCaps returns the capabilities in a [CAPABILITY ...] response code.
func imapCodeCaps(line string) []string {
	_, after, ok := strings.Cut(line, "[CAPABILITY ")
	if !ok {
		return nil
	}
	list, _, _ := strings.Cut(after, "]")
	return strings.Fields(list)
}

// protoConn is a line-oriented client for reading advertisements.
type protoConn struct {
	t    *testing.T
	conn net.Conn
	rd   *bufio.Reader
	pool *tls.Config
}

func dialProto(t *testing.T, sim *simulator.Simulator, role wire.Role) *protoConn {
	t.Helper()
	cfg := &tls.Config{RootCAs: sim.CertPool(), ServerName: sim.Hostname()}
	var conn net.Conn
	var err error
	if role.ImplicitTLS() {
		conn, err = tls.Dial("tcp", sim.Addr(role), cfg)
	} else {
		conn, err = net.Dial("tcp", sim.Addr(role))
	}
	if err != nil {
		t.Fatalf("%s: %v", role, err)
	}
	// A server that stops answering fails the test instead of hanging it.
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return &protoConn{t: t, conn: conn, rd: bufio.NewReader(conn), pool: cfg}
}

func (c *protoConn) send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

func (c *protoConn) readLine() string {
	c.t.Helper()
	line, err := c.rd.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (after %q)", err, line)
	}
	return strings.TrimRight(line, "\r\n")
}

// expect reads lines until one starts with prefix, failing on a line that
// looks like a refusal first.
func (c *protoConn) expect(prefix string) string {
	c.t.Helper()
	for {
		line := c.readLine()
		if strings.HasPrefix(line, prefix) {
			return line
		}
		if strings.HasPrefix(line, "-ERR") || strings.Contains(line, " NO ") || strings.Contains(line, " BAD ") || (len(line) > 0 && (line[0] == '4' || line[0] == '5')) {
			c.t.Fatalf("waiting for %q: %q", prefix, line)
		}
	}
}

func (c *protoConn) startTLS() {
	c.t.Helper()
	tc := tls.Client(c.conn, c.pool)
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS: %v", err)
	}
	c.conn = tc
	c.rd = bufio.NewReader(tc)
}

// ehlo returns the EHLO keywords with their parameters ("SIZE 10485760").
func (c *protoConn) ehlo() []string {
	c.t.Helper()
	c.send("EHLO capabilities.test")
	var kws []string
	for first := true; ; first = false {
		line := c.readLine()
		if len(line) < 4 || line[:3] != "250" {
			c.t.Fatalf("EHLO: %q", line)
		}
		if !first {
			kws = append(kws, strings.ToUpper(line[4:]))
		}
		if line[3] == ' ' {
			return kws
		}
	}
}

// capa returns the POP3 CAPA lines.
func (c *protoConn) capa() []string {
	c.t.Helper()
	c.send("CAPA")
	c.expect("+OK")
	var tags []string
	for {
		line := c.readLine()
		if line == "." {
			return tags
		}
		tags = append(tags, strings.ToUpper(line))
	}
}

// imapCapability returns the capabilities of a CAPABILITY command.
func (c *protoConn) imapCapability(tag string) []string {
	c.t.Helper()
	c.send(tag + " CAPABILITY")
	var caps []string
	for {
		line := c.readLine()
		if rest, ok := strings.CutPrefix(line, "* CAPABILITY "); ok {
			caps = append(caps, strings.Fields(rest)...)
			continue
		}
		if strings.HasPrefix(line, tag+" ") {
			if !strings.HasPrefix(line, tag+" OK") {
				c.t.Fatalf("CAPABILITY: %q", line)
			}
			return caps
		}
	}
}

func (c *protoConn) close() { c.conn.Close() }
