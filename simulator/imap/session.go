package imap

import (
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-sasl"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/internal/oauth"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// session is one IMAP connection. The library calls it from one goroutine
// (plus Idle's), so its fields need no lock of their own.
type session struct {
	srv  *Server
	conn *imapserver.Conn
	user *store.User // nil before login
	sel  *selected   // nil unless a mailbox is selected

	idleMu sync.Mutex // guards sel against the IDLE goroutine (see Idle)

	failedLogins int // on this connection, for store.FailedLoginDelay

	// key is the connection the relay knows this session by (connKey).
	key net.Conn
}

var _ imapserver.SessionIMAP4rev2 = (*session)(nil)

func (s *session) Close() error {
	s.Unselect()
	s.srv.forget(s)
	return nil
}

// encrypted reports whether the client talks to us over TLS: implicit TLS
// (the listener gave us a *tls.Conn) or after STARTTLS (the library swapped
// the conn for a *tls.Conn).
func (s *session) encrypted() bool {
	_, ok := s.conn.NetConn().(*tls.Conn)
	return ok
}

// Login serves LOGIN and, through the library's SASL PLAIN server,
// AUTHENTICATE PLAIN.
func (s *session) Login(username, password string) error {
	if s.srv.opts.Faults.On(fault.TLSRequired) && !s.encrypted() {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodePrivacyRequired,
			Text: "TLS is required before LOGIN (the tls-required fault is on): use STARTTLS first"}
	}
	if s.srv.opts.Faults.On(fault.AuthFail) {
		s.loginFailed()
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
			Text: "Authentication failed (the auth-fail fault is on)"}
	}
	u, err := s.srv.opts.Store.Authenticate(username, password)
	if errors.Is(err, store.ErrPasswordLoginDisabled) {
		s.loginFailed()
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
			Text: "Basic authentication is disabled for this account: sign in with OAuth 2.0 (AUTHENTICATE XOAUTH2 or OAUTHBEARER)"}
	}
	if err != nil {
		s.loginFailed()
		return imapserver.ErrAuthFailed
	}
	s.user = u
	return nil
}

var _ imapserver.SessionSASL = (*session)(nil)

// AuthenticateMechanisms lists the AUTH= capabilities: PLAIN, as the
// library offers by itself, and XOAUTH2 and OAUTHBEARER in a world whose
// provider issues OAuth 2.0 tokens.
func (s *session) AuthenticateMechanisms() []string {
	mechs := []string{sasl.Plain}
	if s.srv.opts.Store.TokensIssued() {
		mechs = append(mechs, oauth.Mechanisms()...)
	}
	return mechs
}

// Authenticate starts AUTHENTICATE's exchange. PLAIN is what the library
// would run without this method (its identity rule included).
func (s *session) Authenticate(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && identity != username {
				return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthorizationFailed,
					Text: "SASL identity not supported"}
			}
			return s.Login(username, password)
		}), nil
	case oauth.XOAUTH2, oauth.OAUTHBEARER:
		if s.srv.opts.Store.TokensIssued() {
			return &oauthErrors{inner: &oauth.Server{Mech: mech, Check: s.loginToken}}, nil
		}
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

// loginToken checks an OAuth 2.0 access token (XOAUTH2, OAUTHBEARER). A
// refused token answers NO [AUTHENTICATIONFAILED], as a wrong password does,
// after the mechanism's JSON error challenge.
func (s *session) loginToken(username, token string) error {
	if s.srv.opts.Faults.On(fault.TLSRequired) && !s.encrypted() {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodePrivacyRequired,
			Text: "TLS is required before AUTHENTICATE (the tls-required fault is on): use STARTTLS first"}
	}
	if s.srv.opts.Faults.On(fault.AuthFail) {
		s.loginFailed()
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
			Text: "Authentication failed (the auth-fail fault is on)"}
	}
	u, err := s.srv.opts.Store.AuthenticateToken(username, token)
	if err != nil {
		s.loginFailed()
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
			Text: "Invalid credentials: the token was not issued to this user"}
	}
	s.user = u
	return nil
}

// oauthErrors answers a malformed XOAUTH2 or OAUTHBEARER response with BAD.
type oauthErrors struct{ inner *oauth.Server }

func (o *oauthErrors) Next(response []byte) ([]byte, bool, error) {
	challenge, done, err := o.inner.Next(response)
	if m, ok := err.(*oauth.Malformed); ok {
		return nil, true, &imap.Error{Type: imap.StatusResponseTypeBad, Text: "Malformed " + o.inner.Mech + " response: " + m.Why}
	}
	return challenge, done, err
}

// loginFailed waits, before LOGIN or AUTHENTICATE answers NO, as real
// servers do once a connection has failed three times (store.FailedLoginDelay).
func (s *session) loginFailed() {
	s.failedLogins++
	s.srv.opts.Pause(store.FailedLoginDelay(s.failedLogins))
}

func (s *session) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Prefix: "", Delim: store.Delimiter}}}, nil
}

// Poll hands the session the changes other sessions (and POP3, SMTP) made.
func (s *session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	if s.sel == nil {
		return nil
	}
	if err := s.poll(s.sel, w, allowExpunge); err != nil {
		return err
	}
	return s.writeEcho(w)
}

// writeEcho writes the deferred replies of a STORE (see selected.echo), with
// the flags and sequence numbers valid now; a message expunged meanwhile
// has had its EXPUNGE instead.
func (s *session) writeEcho(w *imapserver.UpdateWriter) error {
	echo := s.sel.echo
	s.sel.echo = nil
	for _, e := range echo {
		targets, _ := s.resolve(imap.UIDSetNum(imap.UID(e.uid)))
		if len(targets) == 0 {
			continue
		}
		var uid imap.UID
		if e.withUID {
			uid = imap.UID(e.uid)
		}
		if err := w.WriteMessageFlags(targets[0].seq, uid, s.flagsOf(targets[0].msg)); err != nil {
			return err
		}
	}
	return nil
}

// poll claims newly arrived \Recent messages for this session, then writes
// the queued updates and the new RECENT count. Claiming first keeps "* n
// RECENT" after the EXISTS of every message it counts: whatever the claim
// saw was queued on the tracker before it.
func (s *session) poll(sel *selected, w *imapserver.UpdateWriter, allowExpunge bool) error {
	var claimed []uint32
	if !sel.readOnly && !s.rev2() {
		claimed = sel.mb.ClaimRecent()
	}
	var expunges uint64
	if allowExpunge {
		s.srv.mu.Lock()
		expunges = sel.box.expunges // read before: a later one stays pending
		s.srv.mu.Unlock()
	}
	if err := sel.tracker.Poll(w, allowExpunge); err != nil {
		return err
	}
	if allowExpunge {
		sel.expungesSeen.Store(expunges)
	}
	if len(claimed) == 0 {
		return nil
	}
	for _, uid := range claimed {
		sel.recent[uid] = true
	}
	return w.WriteNumRecent(sel.recentCount())
}

// Idle runs in its own goroutine, which the library may leave running for a
// moment after the connection has gone (it does not wait for it on EOF): it
// reads the selected mailbox once, under idleMu, and only checks stop after.
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	s.idleMu.Lock()
	sel := s.sel
	s.idleMu.Unlock()
	if sel == nil {
		<-stop
		return nil
	}
	// Poll first (updates may have landed before IDLE), then on every poke.
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		if err := s.poll(sel, w, true); err != nil {
			return err
		}
		select {
		case <-sel.wake:
		case <-stop:
			return nil
		}
	}
}

// rev2 reports whether the client enabled IMAP4rev2, which drops \Recent.
func (s *session) rev2() bool {
	return s.conn.EnabledCaps().Has(imap.CapIMAP4rev2)
}

// Errors with their IMAP response codes.
func errNo(code imap.ResponseCode, text string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: code, Text: text}
}

// errBeyond answers a message number past the last one the client knows.
func errBeyond(last uint64) error {
	return &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeClientBug,
		Text: "No such message: the last message number is " + strconv.FormatUint(last, 10)}
}

// errNoMessages answers "*" in an empty mailbox, where it names nothing.
var errNoMessages = &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeClientBug,
	Text: "No such message: the mailbox is empty, so * names no message"}

var (
	errReadOnly = errNo("READ-ONLY", "Mailbox is read-only (opened with EXAMINE)")
	errNoMbox   = errNo(imap.ResponseCodeNonExistent, "No such mailbox")
	errTryMbox  = errNo(imap.ResponseCodeTryCreate, "No such mailbox (CREATE it first)")
	// RFC 5530: another session expunged a message the client named by
	// sequence number; the client learns which at its next NOOP.
	errExpungeIssued = errNo("EXPUNGEISSUED", "Some of the requested messages no longer exist")
)

// storeErr turns a store error into the IMAP reply it means.
func storeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNoSuchMailbox):
		return errNoMbox
	case errors.Is(err, store.ErrMailboxExists):
		return errNo(imap.ResponseCodeAlreadyExists, "Mailbox already exists")
	case errors.Is(err, store.ErrInvalidName):
		return errNo(imap.ResponseCodeCannot, "Invalid mailbox name")
	case errors.Is(err, store.ErrCannotDeleteInbox):
		return errNo(imap.ResponseCodeCannot, "INBOX cannot be deleted")
	case errors.Is(err, store.ErrOverQuota):
		// RFC 5530 §3 and RFC 9208 §4.3: the user would be over quota.
		return errNo(imap.ResponseCodeOverQuota, "Quota exceeded: delete (and EXPUNGE) messages to make room")
	case errors.Is(err, store.ErrStoreFull):
		// Not the user's quota but the server's storage (the simulator's
		// world cap): RFC 5530's LIMIT, an implementation limit.
		return errNo(imap.ResponseCodeLimit, "Insufficient system storage: the mail world is full")
	default:
		return errNo(imap.ResponseCodeServerBug, err.Error())
	}
}
