// Package oauth runs the two SASL mechanisms that carry an OAuth 2.0
// access token instead of a password, for the submission, IMAP and POP3
// servers alike:
//
//   - XOAUTH2, Google's (and Microsoft's) mechanism, documented by Google,
//     not an RFC: one response "user=" USER ^A "auth=Bearer " TOKEN ^A ^A.
//   - OAUTHBEARER, the standard one (RFC 7628 §3.1): a GS2 header
//     "n,a=USER," then key=value pairs separated by ^A, "auth=Bearer TOKEN"
//     among them, ending ^A ^A.
//
// When the token is refused, both answer with a challenge holding a JSON
// error (RFC 7628 §3.2.2; Google's XOAUTH2 does the same), the client
// answers it (OAUTHBEARER with a single ^A, XOAUTH2 with an empty line),
// and only then does the exchange fail. The package knows no protocol and no
// store: the server gives it a Check function.
package oauth

import (
	"bytes"
	"strings"
)

// Mechanism names as clients send them.
const (
	XOAUTH2     = "XOAUTH2"
	OAUTHBEARER = "OAUTHBEARER"
)

// Mechanisms lists both, in the order servers advertise them.
func Mechanisms() []string { return []string{XOAUTH2, OAUTHBEARER} }

// Malformed is a response that is not the mechanism's format: the server
// answers it as a syntax error (SMTP 501, IMAP BAD, POP3 -ERR).
type Malformed struct{ Why string }

func (m *Malformed) Error() string { return m.Why }

// Server runs one exchange. Its Next has the shape of go-sasl's
// sasl.Server, so go-smtp and go-imap drive it as they drive PLAIN; POP3
// drives it by hand.
type Server struct {
	// Mech is XOAUTH2 or OAUTHBEARER.
	Mech string
	// Check logs the user in with the token. user is the login the client
	// named ("" when an OAUTHBEARER client named none: the token alone
	// says who it is). A non-nil error refuses the login; it is returned,
	// as it is, once the client has answered the error challenge.
	Check func(user, token string) error

	started bool  // the client's response has been read
	refused error // Check's error, waiting for the client's answer to the error challenge
}

// Next takes the client's response (nil: the client sent no initial
// response yet) and returns the next challenge, or done with the verdict.
func (s *Server) Next(response []byte) (challenge []byte, done bool, err error) {
	if s.refused != nil {
		// The client has read the error challenge and answered it (^A,
		// or an empty line): the exchange fails now.
		return nil, true, s.refused
	}
	if s.started {
		return nil, true, &Malformed{Why: s.Mech + " exchange is already over"}
	}
	if response == nil {
		// AUTH XOAUTH2 without an initial response: an empty challenge
		// asks for it (RFC 4954 §4, RFC 3501 §6.2.2, RFC 5034 §4). nil,
		// not []byte{}: go-imap writes an empty []byte as "+ =", the
		// notation of an empty initial response (RFC 4959), not "+ ".
		return nil, false, nil
	}
	s.started = true
	var user, token string
	switch s.Mech {
	case XOAUTH2:
		user, token, err = ParseXOAUTH2(response)
	case OAUTHBEARER:
		user, token, err = ParseOAuthBearer(response)
	default:
		err = &Malformed{Why: "unknown mechanism " + s.Mech}
	}
	if err != nil {
		return nil, true, err
	}
	if err := s.Check(user, token); err != nil {
		s.refused = err
		return s.errorChallenge(), false, nil
	}
	return nil, true, nil
}

// errorChallenge is the JSON the server sends when it refuses the token:
// RFC 7628 §3.2.2's fields for OAUTHBEARER, Google's for XOAUTH2 (its
// "status" is an HTTP status code).
func (s *Server) errorChallenge() []byte {
	if s.Mech == XOAUTH2 {
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example.com/"}`)
	}
	return []byte(`{"status":"invalid_token","scope":"mail","openid-configuration":"https://login.example.com/.well-known/openid-configuration"}`)
}

// ParseXOAUTH2 reads "user=" USER ^A "auth=Bearer " TOKEN ^A ^A.
func ParseXOAUTH2(resp []byte) (user, token string, err error) {
	const want = "XOAUTH2 wants user=LOGIN^Aauth=Bearer TOKEN^A^A (Google's format)"
	if !bytes.HasSuffix(resp, []byte("\x01\x01")) {
		return "", "", &Malformed{Why: want}
	}
	fields := strings.Split(string(resp[:len(resp)-2]), "\x01")
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", "", &Malformed{Why: want}
		}
		switch strings.ToLower(k) {
		case "user":
			user = v
		case "auth":
			if token, ok = bearer(v); !ok {
				return "", "", &Malformed{Why: "XOAUTH2: auth= must be \"Bearer \" and the token"}
			}
		}
	}
	if user == "" || token == "" {
		return "", "", &Malformed{Why: want}
	}
	return user, token, nil
}

// ParseOAuthBearer reads RFC 7628 §3.1's client response: a GS2 header
// ("n,a=USER," or "n,,"), then ^A-separated key=value pairs ending ^A ^A,
// "auth=Bearer TOKEN" among them (host= and port= may come too).
func ParseOAuthBearer(resp []byte) (user, token string, err error) {
	const want = "OAUTHBEARER wants n,a=LOGIN,^Aauth=Bearer TOKEN^A^A (RFC 7628 §3.1)"
	gs2, rest, ok := strings.Cut(string(resp), ",")
	if !ok || gs2 != "n" {
		// "y" or "p=": channel binding, which this server does not offer.
		return "", "", &Malformed{Why: want}
	}
	authzid, rest, ok := strings.Cut(rest, ",")
	if !ok {
		return "", "", &Malformed{Why: want}
	}
	if authzid != "" {
		if !strings.HasPrefix(authzid, "a=") {
			return "", "", &Malformed{Why: want}
		}
		user = saslName(authzid[2:])
	}
	if !strings.HasPrefix(rest, "\x01") || !strings.HasSuffix(rest, "\x01\x01") || len(rest) < 3 {
		return "", "", &Malformed{Why: want}
	}
	for _, f := range strings.Split(rest[1:len(rest)-2], "\x01") {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", "", &Malformed{Why: want}
		}
		if k == "auth" {
			if token, ok = bearer(v); !ok {
				return "", "", &Malformed{Why: "OAUTHBEARER: auth= must be \"Bearer \" and the token (RFC 7628 §3.1)"}
			}
		}
	}
	if token == "" {
		return "", "", &Malformed{Why: want}
	}
	return user, token, nil
}

// bearer takes the token out of "Bearer TOKEN" (the scheme's case does not
// matter, RFC 6750 §2.1).
func bearer(v string) (string, bool) {
	scheme, token, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// saslName undoes the GS2 escaping of "," and "=" in a name (RFC 5801 §4).
func saslName(s string) string {
	return strings.NewReplacer("=2C", ",", "=3D", "=").Replace(s)
}
