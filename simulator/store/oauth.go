package store

import (
	"crypto/subtle"
	"errors"
)

// OAuth 2.0 in the mail world. A real provider's sign-in service issues an
// access token to a mail program after the user has logged in on its web
// page; the program then logs in to SMTP, IMAP and POP3 with the token
// (SASL XOAUTH2 or OAUTHBEARER) instead of the password. The simulator has
// no web page: the world gives a user a token (simulator.UserSpec.Token, a
// lesson's users: token:), and the servers accept exactly that token for
// that user.

// ErrPasswordLoginDisabled: the password was right, but the user's account
// accepts no password logins any more (Microsoft's retirement of "basic
// authentication"): only a token logs in. SMTP answers 535 5.7.139.
var ErrPasswordLoginDisabled = errors.New("basic authentication (a password login) is disabled for this account")

// SetToken gives the user an OAuth 2.0 access token, as the provider's
// sign-in service would; "" takes it back.
func (u *User) SetToken(token string) {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	u.token = token
}

// SetPasswordLogin allows or refuses logins with the password. Refused,
// Authenticate answers ErrPasswordLoginDisabled even to the right password.
func (u *User) SetPasswordLogin(allowed bool) {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	u.passwordOff = !allowed
}

// TokensIssued reports whether any user holds a token: the servers offer
// XOAUTH2 and OAUTHBEARER only in a world whose provider issues them.
func (s *Store) TokensIssued() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.userOrder {
		if u.token != "" {
			return true
		}
	}
	return false
}

// AuthenticateToken checks an access token. login names the user (an
// address or a unique local part); "" lets the token alone say whose it is
// (an OAUTHBEARER client may name no one, RFC 7628 §3.1). A token logs in
// even where password logins are disabled.
func (s *Store) AuthenticateToken(login, token string) (*User, error) {
	if token == "" {
		return nil, ErrAuthFailed
	}
	if login != "" {
		u, ok := s.LookupLogin(login)
		if !ok || !u.tokenIs(token) {
			return nil, ErrAuthFailed
		}
		return u, nil
	}
	for _, u := range s.Users() {
		if u.tokenIs(token) {
			return u, nil
		}
	}
	return nil, ErrAuthFailed
}

func (u *User) tokenIs(token string) bool {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	return u.token != "" && subtle.ConstantTimeCompare([]byte(u.token), []byte(token)) == 1
}

// PasswordLoginRefused reports whether password logins are off for u.
func (u *User) PasswordLoginRefused() bool {
	u.store.mu.Lock()
	defer u.store.mu.Unlock()
	return u.passwordOff
}
