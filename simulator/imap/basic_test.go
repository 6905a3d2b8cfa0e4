package imap

import (
	"strings"
	"testing"
)

func TestLoginSelectFlags(t *testing.T) {
	w := newWorld(t, Options{})
	w.deliver(t, w.alice.Inbox(), plain("bob@example.org", "alice@example.com", "hello", "hi"))
	c := w.dial(t)
	c.expect("a1 LOGIN alice wrong", "a1 NO [AUTHENTICATIONFAILED]")
	c.ok("a2 LOGIN alice wonderland")
	u := c.ok("a3 SELECT INBOX")
	mustHave(t, u, "* 1 EXISTS")
	mustHave(t, u, "* 1 RECENT")
	mustHave(t, u, `* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`)
	mustHave(t, u, `* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Permanent flags`)
	mustHave(t, u, "* OK [UNSEEN 1] First unseen message")
	u = c.ok("a4 FETCH 1 (FLAGS)")
	mustHave(t, u, `* 1 FETCH (FLAGS (\Recent))`)
	u = c.ok("a5 STORE 1 +FLAGS (\\SEEN $Work)")
	mustHave(t, u, `* 1 FETCH (FLAGS (\Seen $Work \Recent))`)
	t.Log(strings.Join(u, "\n"))
}
