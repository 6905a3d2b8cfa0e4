package smtp

import (
	"errors"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/internal/oauth"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// needTLS reports whether AUTH must wait for STARTTLS right now. By default
// it must, as at today's providers (RFC 8314 §3, RFC 4954 §4): a password
// never travels in clear. PlainAuth or the plain-auth fault lift the rule
// (the old behaviour, for the lesson on why it is dangerous); RequireTLS
// and the tls-required fault put it back whatever those say.
func (se *session) needTLS() bool {
	if se.encrypted() {
		return false
	}
	opts := se.srv.opts
	if opts.RequireTLS || opts.Faults.On(fault.TLSRequired) {
		return true
	}
	return !opts.PlainAuth && !opts.Faults.On(fault.PlainAuth)
}

// AuthMechanisms lists what EHLO advertises after "AUTH". go-smtp asks at
// every EHLO, so the answer follows the faults of the moment: nothing on
// the MX, and nothing before STARTTLS unless clear-text login is allowed
// (RFC 4954 §4: do not tempt the client to send a password in clear).
func (se *session) AuthMechanisms() []string {
	if !se.srv.submission() || se.needTLS() {
		return nil
	}
	mechs := []string{sasl.Plain, sasl.Login}
	if se.srv.opts.Store.TokensIssued() {
		// The world's provider issues OAuth 2.0 tokens: offer the two
		// mechanisms that carry one (internal/oauth).
		mechs = append(mechs, oauth.Mechanisms()...)
	}
	return mechs
}

// Auth starts the exchange for one AUTH command.
func (se *session) Auth(mech string) (sasl.Server, error) {
	if !se.srv.submission() {
		return nil, errNoAuthHere
	}
	if se.needTLS() {
		return nil, errMustStartTLS
	}
	switch mech {
	case sasl.Plain:
		plain := sasl.NewPlainServer(func(identity, username, password string) error {
			// RFC 4616: an authorization identity other than the login
			// itself asks to act as someone else, which no one may here.
			if identity != "" && identity != username {
				return errAuthFailed
			}
			return se.login(username, password)
		})
		return &saslErrors{inner: plain, mech: sasl.Plain}, nil
	case sasl.Login:
		return &loginServer{check: se.login}, nil
	case oauth.XOAUTH2, oauth.OAUTHBEARER:
		if se.srv.opts.Store.TokensIssued() {
			return &oauthErrors{inner: &oauth.Server{Mech: mech, Check: se.loginToken}}, nil
		}
	}
	return nil, errUnknownMechanism
}

// login checks credentials against the store and, when they are right,
// makes the session belong to that user.
func (se *session) login(username, password string) error {
	if se.srv.opts.Faults.On(fault.AuthFail) {
		return se.loginFailed()
	}
	u, err := se.srv.opts.Store.Authenticate(username, password)
	if errors.Is(err, store.ErrPasswordLoginDisabled) {
		se.loginFailed()
		return errPasswordLoginDisabled
	}
	if err != nil {
		return se.loginFailed()
	}
	se.mu.Lock()
	se.user = u
	se.mu.Unlock()
	return nil
}

// loginToken checks an OAuth 2.0 access token (XOAUTH2, OAUTHBEARER) and,
// when the world issued it to that user, makes the session theirs. A
// refused token gets the same 535 5.7.8 as a wrong password (Gmail's
// answer), after the mechanism's error challenge.
func (se *session) loginToken(username, token string) error {
	if se.srv.opts.Faults.On(fault.AuthFail) {
		return se.loginFailed()
	}
	u, err := se.srv.opts.Store.AuthenticateToken(username, token)
	if err != nil {
		return se.loginFailed()
	}
	se.mu.Lock()
	se.user = u
	se.mu.Unlock()
	return nil
}

// oauthErrors turns a malformed XOAUTH2 or OAUTHBEARER response into 501.
type oauthErrors struct{ inner *oauth.Server }

func (o *oauthErrors) Next(response []byte) ([]byte, bool, error) {
	challenge, done, err := o.inner.Next(response)
	if m, ok := err.(*oauth.Malformed); ok {
		return nil, true, errAuthSyntax(m.Why)
	}
	return challenge, done, err
}

// loginServer is the LOGIN mechanism (draft-murchison-sasl-login), which
// go-sasl has only as a client. It is obsolete but every mail client still
// offers it: the server prompts "Username:" then "Password:" (base64 on the
// wire, in 334 replies) and the client answers each in base64.
type loginServer struct {
	check    func(username, password string) error
	step     int // 0: start, 1: asked for the user name, 2: asked for the password, 3: done
	username string
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		if response == nil {
			// No initial response: ask for the user name first.
			l.step = 1
			return []byte("Username:"), false, nil
		}
		// "AUTH LOGIN <base64 user>": the initial response is the user name.
		l.username = string(response)
		l.step = 2
		return []byte("Password:"), false, nil
	case 1:
		l.username = string(response)
		l.step = 2
		return []byte("Password:"), false, nil
	case 2:
		l.step = 3
		return nil, true, l.check(l.username, string(response))
	}
	return nil, true, errAuthSyntax("LOGIN exchange is already over")
}

// saslErrors turns go-sasl's plain Go errors (a PLAIN response without its
// two NUL separators, say) into a 501 reply instead of go-smtp's generic 454.
type saslErrors struct {
	inner sasl.Server
	mech  string
}

func (s *saslErrors) Next(response []byte) ([]byte, bool, error) {
	challenge, done, err := s.inner.Next(response)
	if err == nil {
		return challenge, done, nil
	}
	if _, ok := err.(*gosmtp.SMTPError); ok {
		return challenge, done, err
	}
	if s.mech == sasl.Plain {
		return nil, true, errAuthSyntax("PLAIN wants base64 of authzid NUL login NUL password (RFC 4616)")
	}
	return nil, true, errAuthSyntax(err.Error())
}
