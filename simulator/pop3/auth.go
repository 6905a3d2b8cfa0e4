package pop3

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// The AUTHORIZATION state: USER/PASS (RFC 1939 §7), APOP (§7) and
// AUTH (RFC 5034). Every way in ends in login.

// loginAllowed refuses any login attempt while TLS is required and missing.
func (s *session) loginAllowed() *Error {
	if !s.secure && s.srv.tlsRequired() {
		return errTLSRequired()
	}
	return nil
}

func (s *session) cmdUSER(args string) (*Error, error) {
	if e := s.loginAllowed(); e != nil {
		return e, nil
	}
	name := strings.TrimSpace(args)
	if name == "" || strings.ContainsAny(name, " \t") {
		return errText("USER needs exactly one argument: USER name"), nil
	}
	// Answer +OK whoever it is: saying "no such user" here would let anyone
	// find out which mailboxes exist. The verdict comes at PASS.
	s.userName = name
	s.reply("+OK send PASS")
	return nil, nil
}

func (s *session) cmdPASS(args string) (*Error, error) {
	if s.userName == "" {
		return errText("send USER first, then PASS"), nil
	}
	// RFC 1939 §7: PASS has exactly one argument, so a server may take
	// spaces as part of the password. The whole rest of the line is it.
	if args == "" {
		return errText("PASS needs the password: PASS secret"), nil
	}
	name := s.userName
	s.userName = "" // a failed PASS needs a new USER (RFC 1939 §7)
	u, err := s.srv.opts.Store.Authenticate(name, args)
	if err != nil {
		return passwordRefused(err), nil
	}
	return s.login(u), nil
}

func (s *session) cmdAPOP(args string) (*Error, error) {
	if e := s.loginAllowed(); e != nil {
		return e, nil
	}
	words := strings.Fields(args)
	if len(words) != 2 {
		return errText("APOP needs two arguments: APOP name digest"), nil
	}
	name, digest := words[0], strings.ToLower(words[1])
	if len(digest) != 32 {
		return errText("APOP digest must be 32 hexadecimal digits: md5(timestamp + password)"), nil
	}
	u, ok := s.srv.opts.Store.LookupLogin(name)
	if !ok {
		return errAuthFailed(), nil
	}
	// The digest proves the client knows the password without sending it:
	// md5 of the greeting's timestamp (brackets included) then the password.
	sum := md5.Sum([]byte(s.timestamp + u.Password()))
	want := hex.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(want), []byte(digest)) != 1 {
		return errAuthFailed(), nil
	}
	if u.PasswordLoginRefused() {
		return passwordRefused(store.ErrPasswordLoginDisabled), nil
	}
	return s.login(u), nil
}

// login moves a user whose credentials were accepted into the TRANSACTION
// state, taking the maildrop lock; on failure the session stays in
// AUTHORIZATION and the reply says why.
func (s *session) login(u *store.User) *Error {
	if s.srv.opts.Faults.On(fault.AuthFail) {
		return errAuthFailed()
	}
	md, err := u.OpenMaildrop(s)
	if errors.Is(err, store.ErrMaildropInUse) {
		return &Error{Code: "IN-USE", Text: "maildrop already locked by another session, try again later"}
	}
	if err != nil {
		return &Error{Code: "SYS/TEMP", Text: "cannot open the maildrop: " + err.Error()}
	}
	s.user, s.md, s.inbox = u, md, u.Inbox()
	s.state = transaction
	s.userName = ""
	count, size := s.totals()
	s.reply(fmt.Sprintf("+OK %s's maildrop has %d message%s (%d octets)", u.Address, count, plural(count), size))
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
