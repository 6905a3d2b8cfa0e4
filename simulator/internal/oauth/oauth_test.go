package oauth

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		mech, resp, user, token string
		ok                      bool
	}{
		{XOAUTH2, "user=alice@example.com\x01auth=Bearer ya29.a\x01\x01", "alice@example.com", "ya29.a", true},
		{XOAUTH2, "user=alice@example.com\x01auth=bearer ya29.a\x01\x01", "alice@example.com", "ya29.a", true},
		{XOAUTH2, "user=alice@example.com\x01auth=ya29.a\x01\x01", "", "", false},    // no scheme
		{XOAUTH2, "auth=Bearer ya29.a\x01\x01", "", "", false},                       // no user
		{XOAUTH2, "user=alice@example.com\x01auth=Bearer ya29.a\x01", "", "", false}, // one ^A short
		{OAUTHBEARER, "n,a=alice@example.com,\x01host=mail.example.com\x01port=993\x01auth=Bearer t\x01\x01", "alice@example.com", "t", true},
		{OAUTHBEARER, "n,,\x01auth=Bearer t\x01\x01", "", "t", true},
		{OAUTHBEARER, "n,a=a=2Cb=3Dc@example.com,\x01auth=Bearer t\x01\x01", "a,b=c@example.com", "t", true},
		{OAUTHBEARER, "y,,\x01auth=Bearer t\x01\x01", "", "", false}, // channel binding
		{OAUTHBEARER, "n,,\x01host=x\x01\x01", "", "", false},        // no auth=
		{OAUTHBEARER, "n,alice,\x01auth=Bearer t\x01\x01", "", "", false},
	} {
		parse := ParseXOAUTH2
		if c.mech == OAUTHBEARER {
			parse = ParseOAuthBearer
		}
		user, token, err := parse([]byte(c.resp))
		if c.ok != (err == nil) || user != c.user || token != c.token {
			t.Errorf("%s %q: %q %q %v", c.mech, c.resp, user, token, err)
		}
		var m *Malformed
		if err != nil && !errors.As(err, &m) {
			t.Errorf("%s %q: error %T, want *Malformed", c.mech, c.resp, err)
		}
	}
}

func TestRefusedTokenFailsAfterTheErrorChallenge(t *testing.T) {
	refused := errors.New("refused")
	s := &Server{Mech: OAUTHBEARER, Check: func(user, token string) error { return refused }}
	if ch, done, err := s.Next(nil); ch != nil || done || err != nil {
		t.Fatalf("first Next(nil) = %q %v %v, want an empty challenge", ch, done, err)
	}
	ch, done, err := s.Next([]byte("n,,\x01auth=Bearer t\x01\x01"))
	if done || err != nil || len(ch) == 0 || ch[0] != '{' {
		t.Fatalf("refused token: %q %v %v, want the JSON challenge", ch, done, err)
	}
	if _, done, err := s.Next([]byte{}); !done || err != refused {
		t.Fatalf("after the client's answer: %v %v, want done with Check's error", done, err)
	}
}
