package smtp

import (
	"strings"
	"testing"
)

// oauthStore is the default world whose provider issued Alice a token, and
// where Bob's account takes no password logins any more.
func oauthStore(t *testing.T) *Options {
	t.Helper()
	st := newStore(t)
	alice, _ := st.LookupAddress("alice@example.com")
	alice.SetToken("ya29.alice-token")
	bob, _ := st.LookupAddress("bob@example.org")
	bob.SetToken("ya29.bob-token")
	bob.SetPasswordLogin(false)
	opts := submissionOptions(t, st, nil)
	return &opts
}

func TestXOAUTH2AndOAUTHBEARER(t *testing.T) {
	r := start(t, *oauthStore(t))

	c := dialSTARTTLS(t, r.addr)
	if ehlo := c.cmd("EHLO client.example", "250"); !strings.Contains(ehlo, "AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER") {
		t.Fatalf("EHLO does not offer the OAuth mechanisms:\n%s", ehlo)
	}
	// Google's format, as an initial response.
	c.cmd("AUTH XOAUTH2 "+b64("user=alice@example.com\x01auth=Bearer ya29.alice-token\x01\x01"), "235 2.0.0")
	c.cmd("MAIL FROM:<alice@example.com>", "250")

	// RFC 7628 §3.1, without an initial response: an empty 334 asks for it.
	b := dialSTARTTLS(t, r.addr)
	b.cmd("EHLO client.example", "250")
	b.cmd("AUTH OAUTHBEARER", "334 ")
	b.cmd(b64("n,a=bob@example.org,\x01host=mail.example.com\x01port=587\x01auth=Bearer ya29.bob-token\x01\x01"), "235 2.0.0")

	// A token the world did not issue to that user: the JSON error
	// challenge, the client's answer, then 535 5.7.8.
	bad := dialSTARTTLS(t, r.addr)
	bad.cmd("EHLO client.example", "250")
	challenge := bad.cmd("AUTH XOAUTH2 "+b64("user=alice@example.com\x01auth=Bearer ya29.bob-token\x01\x01"), "334 ")
	if want := b64(`{"status":"401","schemes":"bearer","scope":"https://mail.example.com/"}`); challenge != "334 "+want {
		t.Errorf("XOAUTH2 error challenge %q", challenge)
	}
	bad.cmd("", "535 5.7.8")
	challenge = bad.cmd("AUTH OAUTHBEARER "+b64("n,,\x01auth=Bearer ya29.forged\x01\x01"), "334 ")
	if !strings.HasPrefix(challenge, "334 "+b64(`{"status":"invalid_token"`)[:20]) {
		t.Errorf("OAUTHBEARER error challenge %q", challenge)
	}
	bad.cmd(b64("\x01"), "535 5.7.8")
	// Not the mechanism's format at all.
	bad.cmd("AUTH XOAUTH2 "+b64("alice@example.com ya29.alice-token"), "501 5.5.2")
	bad.cmd("MAIL FROM:<alice@example.com>", "530 5.7.0")
}

func TestPasswordLoginDisabledAnswers5_7_139(t *testing.T) {
	r := start(t, *oauthStore(t))
	c := dialSTARTTLS(t, r.addr)
	c.cmd("EHLO client.example", "250")
	// The right password, refused: basic authentication is off for Bob.
	c.cmd("AUTH PLAIN "+b64("\x00bob@example.org\x00builder"), "535 5.7.139")
	c.cmd("AUTH LOGIN "+b64("bob@example.org"), "334")
	c.cmd(b64("builder"), "535 5.7.139")
	// A wrong password says nothing about the account's settings.
	c.cmd("AUTH PLAIN "+b64("\x00bob@example.org\x00wrong"), "535 5.7.8")
}

// The default world issues no tokens: nothing new is offered or accepted.
func TestNoOAuthWithoutTokens(t *testing.T) {
	r := start(t, submissionOptions(t, newStore(t), nil))
	c := dialSTARTTLS(t, r.addr)
	if ehlo := c.cmd("EHLO client.example", "250"); strings.Contains(ehlo, "XOAUTH2") {
		t.Fatalf("EHLO offers XOAUTH2 in a world without tokens:\n%s", ehlo)
	}
	c.cmd("AUTH XOAUTH2 "+b64("user=alice@example.com\x01auth=Bearer x\x01\x01"), "504 5.5.4")
}
