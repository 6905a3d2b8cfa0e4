package simulator

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// A client that hangs up right after a command (a half-close: it may still
// read) still gets the answer, and the tap shows the answer before the
// close, over implicit TLS and after STARTTLS alike, where the relay stands
// between the client and the server library.
func TestClientHangUpOverTLSStillGetsTheServersLastWords(t *testing.T) {
	cases := []struct {
		role     wire.Role
		startTLS string // command that starts TLS first ("" for implicit TLS)
		command  string
		last     string // the answer's last line
	}{
		{wire.RolePOP3S, "", "CAPA", "."},
		{wire.RoleIMAPS, "", "a1 NOOP", "a1 OK"},
		{wire.RoleIMAP, "s1 STARTTLS", "a1 NOOP", "a1 OK"},
		{wire.RolePOP3, "STLS", "CAPA", "."},
	}
	for _, tc := range cases {
		t.Run(string(tc.role), func(t *testing.T) {
			sim := newSim(t, Options{})
			rec := record(sim)
			c := dial(t, sim, tc.role)
			c.line() // greeting
			if tc.startTLS != "" {
				c.send(tc.startTLS)
				if reply := c.line(); !strings.Contains(reply, "OK") {
					t.Fatalf("%s: %q", tc.startTLS, reply)
				}
				c.startTLS(sim)
			}
			c.send(tc.command)
			if err := c.conn.(*tls.Conn).CloseWrite(); err != nil {
				t.Fatal(err)
			}

			rest, err := io.ReadAll(c.r)
			if err != nil {
				t.Fatalf("reading after the hang-up: %v (got %q)", err, rest)
			}
			lines := strings.Split(strings.TrimRight(string(rest), "\r\n"), "\r\n")
			if !strings.HasPrefix(lines[len(lines)-1], tc.last) {
				t.Fatalf("the client got %q after hanging up; want the answer to %s, ending %q", rest, tc.command, tc.last)
			}

			closed := rec.until(t, "closing the session", func(e wire.Event) bool { return e.Kind == wire.Close })
			if got := string(closed.Data); got != "the client closed the connection" {
				t.Errorf("close reason %q", got)
			}
			answered := false
			for _, e := range rec.got {
				if e.Session != closed.Session || e.Dir != wire.FromServer || e.Kind != wire.Line {
					continue
				}
				if strings.HasPrefix(string(e.Data), tc.last) {
					answered = true
				}
				if strings.HasPrefix(string(e.Data), "* BYE") {
					t.Errorf("the tap shows %q: a BYE to a client that had gone", e.Data)
				}
			}
			if !answered {
				t.Errorf("no event for the answer's last line %q before the close", tc.last)
			}
		})
	}
}

// Python's imaplib leaves on LOGOUT's "* BYE" without reading the tagged OK
// that follows, and its kernel answers the unread OK with a reset. The tap
// still shows the OK, and before the close.
func TestClientResetAfterBye(t *testing.T) {
	for _, role := range []wire.Role{wire.RoleIMAPS, wire.RoleIMAP} {
		t.Run(string(role), func(t *testing.T) {
			sim := newSim(t, Options{})
			rec := record(sim)
			c := dial(t, sim, role)
			c.line() // greeting
			if role == wire.RoleIMAP {
				c.imap("s1", "STARTTLS")
				c.startTLS(sim)
			}
			c.send("a1 LOGOUT")
			if l := c.line(); !strings.HasPrefix(l, "* BYE") {
				t.Fatalf("LOGOUT: %q", l)
			}
			tcp := c.conn.(*tls.Conn).NetConn().(*net.TCPConn)
			tcp.SetLinger(0) // close with a reset, no TLS goodbye
			tcp.Close()

			closed := rec.until(t, "closing the session", func(e wire.Event) bool { return e.Kind == wire.Close })
			ok := false
			for _, e := range rec.got {
				if e.Session == closed.Session && e.Dir == wire.FromServer && strings.HasPrefix(string(e.Data), "a1 OK") {
					ok = true
				}
			}
			if !ok {
				for _, e := range rec.got {
					t.Logf("%s %v %v %q", e.Session, e.Dir, e.Kind, e.Data)
				}
				t.Errorf("the tagged OK after BYE is not among the events before the close")
			}
			// Nothing of the session comes after its close.
			sim.Close()
			for e := range rec.sub.Events() {
				if e.Session == closed.Session {
					t.Errorf("event after the close: %v %q", e.Kind, e.Data)
				}
			}
		})
	}
}

// Dial finds its own session, not an older one from the same client
// address: the kernel may give a new connection a port an ended one used.
func TestDialIgnoresAnOlderSessionFromTheSamePort(t *testing.T) {
	sim := newSim(t, Options{})
	peer := dialKey("127.0.0.1:5555", sim.Addr(wire.RolePOP3))
	other := dialKey("127.0.0.1:6666", sim.Addr(wire.RolePOP3))
	sim.mu.Lock()
	sim.nextID++
	sim.endedPeers[peer] = peerSession{id: "s-old-ended", n: sim.nextID}
	sim.nextID++
	sim.byPeer[other] = peerSession{id: "s-old-open", n: sim.nextID}
	sim.mu.Unlock()

	mark := sim.dialMark()
	for _, p := range []string{peer, other} {
		if id, err := sim.sessionFor(p, mark, 50*time.Millisecond); err == nil {
			t.Errorf("%s: a connection made now was given the older session %s", p, id)
		}
	}
	if id, err := sim.sessionFor(peer, mark-2, time.Second); err != nil || id != "s-old-ended" {
		t.Errorf("a session that ended before Dial looked: %q, %v", id, err)
	}

	// And the real thing, many times: each Dial's session is the one
	// its own lines belong to.
	for i := 0; i < 50; i++ {
		c, err := sim.Dial(wire.RolePOP3)
		if err != nil {
			t.Fatal(err)
		}
		rec := record(sim)
		c.Send("NOOP")
		rec.until(t, "the NOOP of "+string(c.Session()), func(e wire.Event) bool {
			return e.Session == c.Session() && e.Dir == wire.FromClient && string(e.Data) == "NOOP\r\n"
		})
		rec.sub.Close()
		c.Close()
	}
}
