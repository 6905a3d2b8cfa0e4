package pop3

import (
	"crypto/md5"
	"encoding/hex"
	"slices"
	"testing"
)

// oauthWorld: the provider issued Alice and Bob tokens, and Bob's account
// takes no password logins any more.
func oauthWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, nil)
	alice, _ := w.store.LookupAddress("alice@example.com")
	alice.SetToken("ya29.alice-token")
	bob, _ := w.store.LookupAddress("bob@example.org")
	bob.SetToken("ya29.bob-token")
	bob.SetPasswordLogin(false)
	return w
}

func TestAuthXOAUTH2AndOAUTHBEARER(t *testing.T) {
	w := oauthWorld(t)
	c := w.dial(t)
	if caps := c.multi("CAPA"); !slices.Contains(caps, "SASL PLAIN LOGIN XOAUTH2 OAUTHBEARER") {
		t.Fatalf("CAPA %q", caps)
	}
	c.ok("AUTH XOAUTH2 " + b64("user=alice@example.com\x01auth=Bearer ya29.alice-token\x01\x01"))
	c.ok("STAT")

	// OAUTHBEARER without an initial response (RFC 5034 §4: an empty
	// challenge), naming no user: the token says whose it is.
	b := w.dial(t)
	if got := b.cmd("AUTH OAUTHBEARER"); got != "+ " {
		t.Fatalf("AUTH OAUTHBEARER: %q, want the empty challenge", got)
	}
	if got := b.cmd(b64("n,,\x01auth=Bearer ya29.bob-token\x01\x01")); got != "+OK bob@example.org's maildrop has 1 message (29 octets)" {
		t.Fatalf("OAUTHBEARER login: %q", got)
	}

	// Someone else's token: the JSON error challenge, the client's ^A,
	// then -ERR [AUTH].
	bad := w.dial(t)
	if got := bad.cmd("AUTH OAUTHBEARER " + b64("n,a=alice@example.com,\x01auth=Bearer ya29.bob-token\x01\x01")); got != "+ "+b64(`{"status":"invalid_token","scope":"mail","openid-configuration":"https://login.example.com/.well-known/openid-configuration"}`) {
		t.Fatalf("error challenge %q", got)
	}
	bad.fail(b64("\x01"), "-ERR [AUTH]")
	if got := bad.cmd("AUTH XOAUTH2 " + b64("user=alice@example.com\x01auth=Bearer forged\x01\x01")); got[:2] != "+ " {
		t.Fatalf("XOAUTH2 error challenge %q", got)
	}
	bad.fail("", "-ERR [AUTH]")
	bad.fail("AUTH XOAUTH2 "+b64("user=alice@example.com auth=ya29.alice-token"), "-ERR malformed XOAUTH2 response")
	// The client may cancel at the challenge.
	bad.cmd("AUTH XOAUTH2")
	bad.fail("*", "-ERR authentication cancelled")
}

func TestPasswordLoginDisabled(t *testing.T) {
	w := oauthWorld(t)
	c := w.dial(t)
	c.ok("USER bob@example.org")
	c.fail("PASS builder", "-ERR [AUTH] basic authentication is disabled for this account")
	c.fail("AUTH PLAIN "+b64("\x00bob@example.org\x00builder"), "-ERR [AUTH] basic authentication is disabled")
	ts := apopTimestamp(t, c.greeting)
	sum := md5.Sum([]byte(ts + "builder"))
	c.fail("APOP bob@example.org "+hex.EncodeToString(sum[:]), "-ERR [AUTH] basic authentication is disabled")
	// A wrong password still gets the plain refusal (a new connection:
	// a fourth failure on this one would wait, store.FailedLoginDelay).
	d := w.dial(t)
	d.ok("USER bob@example.org")
	d.fail("PASS wrong", "-ERR [AUTH] invalid user name or password")
}

func TestNoOAuthWithoutTokens(t *testing.T) {
	w := newWorld(t, nil)
	c := w.dial(t)
	if caps := c.multi("CAPA"); !slices.Contains(caps, "SASL PLAIN LOGIN") {
		t.Fatalf("CAPA %q", caps)
	}
	c.fail("AUTH XOAUTH2 "+b64("user=alice@example.com\x01auth=Bearer x\x01\x01"), "-ERR unsupported SASL mechanism XOAUTH2 (supported: PLAIN LOGIN)")
}
