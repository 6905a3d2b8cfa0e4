package simulator

import (
	"testing"

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
