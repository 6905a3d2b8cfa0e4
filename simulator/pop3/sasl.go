package pop3

import (
	"bytes"
	"encoding/base64"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/internal/oauth"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// AUTH (RFC 5034): SASL inside POP3. The server's challenges are "+ base64"
// lines, the client's responses are base64 lines, "*" cancels, and the
// exchange ends with +OK or -ERR. An initial response may ride on the AUTH
// line itself ("=" stands for an empty one).

// saslMechanisms lists what AUTH accepts, in CAPA order: XOAUTH2 and
// OAUTHBEARER too in a world whose provider issues OAuth 2.0 tokens.
func (s *session) saslMechanisms() []string {
	mechs := []string{"PLAIN", "LOGIN"}
	if s.srv.opts.Store.TokensIssued() {
		mechs = append(mechs, oauth.Mechanisms()...)
	}
	return mechs
}

func (s *session) cmdAUTH(args string) (*Error, error) {
	if e := s.loginAllowed(); e != nil {
		return e, nil
	}
	words := strings.Fields(args)
	if len(words) == 0 {
		return errText("AUTH needs a mechanism: AUTH PLAIN (CAPA lists them under SASL)"), nil
	}
	if len(words) > 2 {
		return errText("AUTH takes a mechanism and at most one initial response"), nil
	}
	s.userName = "" // AUTH abandons a USER waiting for its PASS
	mech := strings.ToUpper(words[0])
	initial, hasInitial := "", len(words) == 2
	if hasInitial {
		initial = words[1]
	}
	switch mech {
	case "PLAIN":
		return s.authPLAIN(initial, hasInitial)
	case "LOGIN":
		return s.authLOGIN(initial, hasInitial)
	case oauth.XOAUTH2, oauth.OAUTHBEARER:
		if s.srv.opts.Store.TokensIssued() {
			return s.authOAuth(mech, initial, hasInitial)
		}
	}
	return errText("unsupported SASL mechanism " + printable(mech) + " (supported: " + strings.Join(s.saslMechanisms(), " ") + ")"), nil
}

// authPLAIN runs RFC 4616 PLAIN: one response "authzid NUL authcid NUL password".
func (s *session) authPLAIN(initial string, hasInitial bool) (*Error, error) {
	var resp []byte
	var perr *Error
	var err error
	if hasInitial {
		resp, perr = decodeSASL(initial)
	} else {
		resp, perr, err = s.challenge("")
	}
	if perr != nil || err != nil {
		return perr, err
	}
	parts := bytes.Split(resp, []byte{0})
	if len(parts) != 3 {
		return errText("malformed PLAIN response: want authzid NUL user NUL password"), nil
	}
	authz, name, pass := string(parts[0]), string(parts[1]), string(parts[2])
	u, aerr := s.srv.opts.Store.Authenticate(name, pass)
	if aerr != nil {
		return passwordRefused(aerr), nil
	}
	// Acting as someone else (an authorization identity other than oneself)
	// is not something mailtutor's users may do.
	if authz != "" {
		if other, ok := s.srv.opts.Store.LookupLogin(authz); !ok || other != u {
			return errAuthFailed(), nil
		}
	}
	return s.login(u), nil
}

// authLOGIN runs the widespread (never standardised) LOGIN mechanism: the
// server asks "Username:" then "Password:", each base64-encoded.
func (s *session) authLOGIN(initial string, hasInitial bool) (*Error, error) {
	var name []byte
	var perr *Error
	var err error
	if hasInitial {
		name, perr = decodeSASL(initial)
	} else {
		name, perr, err = s.challenge("Username:")
	}
	if perr != nil || err != nil {
		return perr, err
	}
	pass, perr, err := s.challenge("Password:")
	if perr != nil || err != nil {
		return perr, err
	}
	u, aerr := s.srv.opts.Store.Authenticate(string(name), string(pass))
	if aerr != nil {
		return passwordRefused(aerr), nil
	}
	return s.login(u), nil
}

// authOAuth runs XOAUTH2 or OAUTHBEARER (internal/oauth): the client sends
// the access token the world issued; a refused token gets the mechanism's
// JSON error challenge, the client answers it, then -ERR [AUTH].
func (s *session) authOAuth(mech, initial string, hasInitial bool) (*Error, error) {
	var user *store.User
	srv := &oauth.Server{Mech: mech, Check: func(login, token string) error {
		u, err := s.srv.opts.Store.AuthenticateToken(login, token)
		user = u
		return err
	}}
	var resp []byte // nil: no initial response yet
	if hasInitial {
		r, perr := decodeSASL(initial)
		if perr != nil {
			return perr, nil
		}
		resp = r
	}
	for {
		challenge, done, err := srv.Next(resp)
		if done {
			if m, ok := err.(*oauth.Malformed); ok {
				return errText("malformed " + mech + " response: " + m.Why), nil
			}
			if err != nil {
				return errAuthFailed(), nil
			}
			return s.login(user), nil
		}
		r, perr, cerr := s.challenge(string(challenge))
		if perr != nil || cerr != nil {
			return perr, cerr
		}
		resp = r
	}
}

// challenge sends "+ base64(text)" and reads the client's decoded response.
// A cancelled exchange or bad base64 comes back as a *Error; the error return
// means the connection is gone.
func (s *session) challenge(text string) ([]byte, *Error, error) {
	s.reply("+ " + base64.StdEncoding.EncodeToString([]byte(text)))
	if err := s.flush(); err != nil {
		return nil, nil, err
	}
	if !s.armRead() {
		return nil, nil, errShutdown
	}
	line, err := s.readLineMax(readBufferSize)
	if err == errLineTooLong {
		return nil, errText("SASL response too long, authentication cancelled"), nil
	}
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(line) == "*" {
		return nil, errText("authentication cancelled by the client"), nil
	}
	resp, perr := decodeSASL(line)
	return resp, perr, nil
}

// decodeSASL decodes one base64 response; "=" is the empty response (RFC 5034 §4).
func decodeSASL(b64 string) ([]byte, *Error) {
	b64 = strings.TrimSpace(b64)
	if b64 == "=" {
		return []byte{}, nil
	}
	out, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errText("invalid base64 in SASL response, authentication cancelled")
	}
	return out, nil
}
