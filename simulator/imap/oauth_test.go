package imap

import (
	"encoding/base64"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// oauthWorld: the provider issued Alice and Bob tokens, and Bob's account
// takes no password logins any more.
func oauthWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, Options{})
	w.alice.SetToken("ya29.alice-token")
	w.bob.SetToken("ya29.bob-token")
	w.bob.SetPasswordLogin(false)
	return w
}

func TestAuthenticateXOAUTH2AndOAUTHBEARER(t *testing.T) {
	w := oauthWorld(t)
	c := w.dial(t)
	caps := c.ok("a1 CAPABILITY")
	if len(caps) != 1 || !strings.Contains(caps[0], " AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER") {
		t.Fatalf("CAPABILITY %q", caps)
	}
	// SASL-IR (RFC 4959): the initial response on the command line.
	c.ok("a2 AUTHENTICATE XOAUTH2 " + b64("user=alice@example.com\x01auth=Bearer ya29.alice-token\x01\x01"))
	c.ok("a3 SELECT INBOX")

	// Without an initial response: an empty continuation asks for it.
	b := w.dial(t)
	b.send("b1 AUTHENTICATE OAUTHBEARER")
	if got := b.line(); got != "+ " && got != "+" {
		t.Fatalf("continuation %q", got)
	}
	b.send(b64("n,a=bob@example.org,\x01host=mail.example.com\x01port=143\x01auth=Bearer ya29.bob-token\x01\x01"))
	if _, tagged := b.until("b1"); !strings.HasPrefix(tagged, "b1 OK") {
		t.Fatalf("OAUTHBEARER: %q", tagged)
	}

	// A token the world did not issue to that user: the JSON error
	// continuation, the client's ^A, then NO [AUTHENTICATIONFAILED].
	bad := w.dial(t)
	bad.send("c1 AUTHENTICATE OAUTHBEARER " + b64("n,a=alice@example.com,\x01auth=Bearer ya29.bob-token\x01\x01"))
	if got := bad.line(); got != "+ "+b64(`{"status":"invalid_token","scope":"mail","openid-configuration":"https://login.example.com/.well-known/openid-configuration"}`) {
		t.Fatalf("error continuation %q", got)
	}
	bad.send(b64("\x01"))
	if _, tagged := bad.until("c1"); !strings.HasPrefix(tagged, "c1 NO [AUTHENTICATIONFAILED]") {
		t.Fatalf("refused token: %q", tagged)
	}
	bad.send("c2 AUTHENTICATE XOAUTH2 " + b64("user=alice@example.com\x01auth=Bearer forged\x01\x01"))
	if got := bad.line(); got != "+ "+b64(`{"status":"401","schemes":"bearer","scope":"https://mail.example.com/"}`) {
		t.Fatalf("XOAUTH2 error continuation %q", got)
	}
	bad.send("")
	if _, tagged := bad.until("c2"); !strings.HasPrefix(tagged, "c2 NO [AUTHENTICATIONFAILED]") {
		t.Fatalf("forged token: %q", tagged)
	}
	bad.expect("c3 AUTHENTICATE XOAUTH2 "+b64("alice@example.com ya29.alice-token"), "c3 BAD Malformed XOAUTH2 response")
	// PLAIN still works as the library's own did.
	bad.ok("c4 AUTHENTICATE PLAIN " + b64("\x00alice@example.com\x00wonderland"))
}

func TestPasswordLoginDisabled(t *testing.T) {
	w := oauthWorld(t)
	c := w.dial(t)
	c.expect("a1 LOGIN bob@example.org builder", "a1 NO [AUTHENTICATIONFAILED] Basic authentication is disabled")
	c.expect("a2 AUTHENTICATE PLAIN "+b64("\x00bob@example.org\x00builder"), "a2 NO [AUTHENTICATIONFAILED] Basic authentication is disabled")
	c.expect("a3 LOGIN bob@example.org wrong", "a3 NO [AUTHENTICATIONFAILED] Authentication failed")
}

func TestNoOAuthWithoutTokens(t *testing.T) {
	w := newWorld(t, Options{})
	c := w.dial(t)
	caps := c.ok("a1 CAPABILITY")
	if len(caps) != 1 || strings.Contains(caps[0], "XOAUTH2") || !strings.Contains(caps[0], "AUTH=PLAIN") {
		t.Fatalf("CAPABILITY %q", caps)
	}
	c.expect("a2 AUTHENTICATE XOAUTH2 "+b64("user=alice@example.com\x01auth=Bearer x\x01\x01"), "a2 NO")
	c.ok("a3 AUTHENTICATE PLAIN " + b64("\x00alice@example.com\x00wonderland"))
}
