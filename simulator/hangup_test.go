package simulator

import (
	"crypto/tls"
	"io"
	"strings"
	"testing"

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
