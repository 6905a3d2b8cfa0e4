package simulator

import (
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// BDAT 1000 LAST, 17 bytes and a hang-up, through the relay as every client
// reaches the servers: in clear on the MX, after STARTTLS and over implicit
// TLS on submission (the client ends its TLS properly, with close_notify).
// The cut chunk fails the transaction: nothing is delivered (RFC 3030 §2).
func TestBDATCutChunkThenHangUpThroughRelayDeliversNothing(t *testing.T) {
	for _, role := range []wire.Role{wire.RoleMX, wire.RoleSubmission, wire.RoleSubmissions} {
		t.Run(string(role), func(t *testing.T) {
			sim := newSim(t, Options{NoSeed: true})
			rec := record(sim)
			c := dial(t, sim, role)
			c.expectSMTP("", "220")
			c.expectSMTP("EHLO client.example", "250")
			if role == wire.RoleSubmission {
				c.expectSMTP("STARTTLS", "220")
				c.startTLS(sim)
				c.expectSMTP("EHLO client.example", "250")
			}
			if role != wire.RoleMX {
				c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wonderland"), "235")
				c.expectSMTP("MAIL FROM:<alice@example.com>", "250")
			} else {
				c.expectSMTP("MAIL FROM:<carol@example.net>", "250")
			}
			c.expectSMTP("RCPT TO:<bob@example.org>", "250")
			c.conn.Write([]byte("BDAT 1000 LAST\r\nSubject: cut\r\n\r\nx"))
			c.conn.Close()

			// The session ends once the server has answered the chunk.
			rec.until(t, "the session's end", func(e wire.Event) bool { return e.Kind == wire.Close })
			bob, _ := sim.Store().LookupAddress("bob@example.org")
			if msgs := bob.Inbox().Messages(); len(msgs) != 0 {
				t.Errorf("a cut BDAT chunk was delivered: %q", msgs[0].Body.Raw)
			}
		})
	}
}

// 1,000 failed logins on one connection took 0.06 s (issue 15, point 8).
// After the third failure on a connection every protocol waits before it
// answers, 1 s, 2 s, 4 s, then 8 s, on the simulator's clock: a manual
// clock moves forward by the wait instead of sleeping, so this test never
// sleeps and can see each wait.
func TestFailedLoginsOnOneConnectionSlowDown(t *testing.T) {
	sim := newSim(t, Options{NoSeed: true})
	type try struct {
		role wire.Role
		fail func(c *client)
	}
	for _, tc := range []try{
		// Implicit TLS: submission takes a login only over TLS.
		{wire.RoleSubmissions, func(c *client) { c.expectSMTP("AUTH PLAIN "+plainAuth("alice", "wrong"), "535 5.7.8") }},
		{wire.RolePOP3, func(c *client) {
			c.send("USER alice")
			c.line()
			c.send("PASS wrong")
			if l := c.line(); !strings.HasPrefix(l, "-ERR [AUTH]") {
				t.Fatalf("PASS: %q", l)
			}
		}},
		{wire.RoleIMAP, func(c *client) {
			if l := c.imap("a", "LOGIN alice wrong"); !strings.HasPrefix(l[len(l)-1], "a NO [AUTHENTICATIONFAILED]") {
				t.Fatalf("LOGIN: %q", l)
			}
		}},
	} {
		c := dial(t, sim, tc.role)
		c.line() // greeting
		if tc.role == wire.RoleSubmissions {
			c.expectSMTP("EHLO client.example", "250")
		}
		start := sim.Clock().Now()
		waited := func() time.Duration { return sim.Clock().Now().Sub(start) }
		for i := 1; i <= 3; i++ {
			tc.fail(c)
		}
		if w := waited(); w != 0 {
			t.Errorf("%s: waited %v for the first three failures, want 0", tc.role, w)
		}
		for i, want := range []time.Duration{1, 3, 7, 15, 23} {
			tc.fail(c)
			if w := waited(); w != want*time.Second {
				t.Errorf("%s: after failure %d waited %v in all, want %v", tc.role, i+4, w, want*time.Second)
			}
		}
		// A new connection starts afresh.
		c2 := dial(t, sim, tc.role)
		c2.line()
		if tc.role == wire.RoleSubmissions {
			c2.expectSMTP("EHLO client.example", "250")
		}
		start = sim.Clock().Now()
		tc.fail(c2)
		if w := waited(); w != 0 {
			t.Errorf("%s: a new connection's first failure waited %v", tc.role, w)
		}
	}
}
