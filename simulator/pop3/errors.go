package pop3

import (
	"errors"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// Error is a negative POP3 reply: "-ERR [CODE] text". Code is an RFC 2449
// extended response code, or "" for a plain -ERR. The codes mailtutor uses:
//
//	"AUTH"     RFC 3206: the credentials were refused (or the attempt broke a policy)
//	"IN-USE"   RFC 2449: the maildrop is locked by another session
//	"SYS/TEMP" RFC 3206: a temporary system problem (shutting down, try again)
type Error struct {
	Code string // extended response code without brackets, or ""
	Text string // human-readable explanation

	loginFailed bool // wrong credentials: counts for store.FailedLoginDelay
}

// Error returns the reply line without CRLF, as it goes on the wire.
func (e *Error) Error() string {
	if e.Code == "" {
		return "-ERR " + e.Text
	}
	return "-ERR [" + e.Code + "] " + e.Text
}

// errText builds a plain -ERR (no response code).
func errText(text string) *Error { return &Error{Text: text} }

// errAuthFailed never says whether the name or the password was wrong, so
// that a client cannot probe which users exist (RFC 3206 §5).
func errAuthFailed() *Error {
	return &Error{Code: "AUTH", Text: "invalid user name or password", loginFailed: true}
}

// passwordRefused answers a password login the store refused: a wrong
// password, or the right one on an account that takes no password logins
// any more (Microsoft's retirement of basic authentication: only an OAuth
// 2.0 token logs in, with AUTH XOAUTH2 or OAUTHBEARER).
func passwordRefused(err error) *Error {
	if errors.Is(err, store.ErrPasswordLoginDisabled) {
		return &Error{Code: "AUTH", Text: "basic authentication is disabled for this account: sign in with OAuth 2.0 (AUTH XOAUTH2 or OAUTHBEARER)", loginFailed: true}
	}
	return errAuthFailed()
}

// errTLSRequired answers a login attempt made in clear text when the listener
// (RequireTLS) or the tls-required fault demands TLS first.
//
// Why [AUTH]: RFC 2449 and RFC 3206 define no "privacy required" code for
// POP3 (IMAP has PRIVACYREQUIRED). RFC 3206 §5 defines [AUTH] for any problem
// with the user's credentials and names "an attempt to authenticate in
// violation of policy" among them, which is exactly this; Dovecot answers the
// same way. [SYS/PERM] would be wrong: nothing is broken on the server, and a
// client told SYS/PERM may give up instead of sending STLS.
func errTLSRequired() *Error {
	return &Error{Code: "AUTH", Text: "TLS required before authentication: send STLS first"}
}
