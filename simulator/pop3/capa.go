package pop3

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"
)

// Commands valid in both states (CAPA, QUIT) and STLS, which changes the
// connection itself.

// cmdCAPA lists the capabilities (RFC 2449 §5) true for this session now:
// login capabilities only before login, and only when a login may succeed
// here (not while TLS is required and missing), STLS only when it can be done.
func (s *session) cmdCAPA(args string) (*Error, error) {
	if strings.TrimSpace(args) != "" {
		return errText("CAPA takes no argument"), nil
	}
	s.reply("+OK capability list follows")
	s.reply("TOP")
	s.reply("UIDL")
	if s.state == authorization && s.loginAllowed() == nil {
		s.reply("USER")
		s.reply("SASL " + strings.Join(s.saslMechanisms(), " "))
	}
	if s.state == authorization && s.srv.opts.TLSConfig != nil && !s.secure {
		s.reply("STLS")
	}
	s.reply("RESP-CODES")
	s.reply("AUTH-RESP-CODE")
	s.reply("PIPELINING")
	// The server never deletes mail by itself, so retrieved mail stays.
	s.reply("EXPIRE NEVER")
	s.reply("IMPLEMENTATION mailtutor")
	s.reply(".")
	return nil, nil
}

// cmdQUIT ends the session. In TRANSACTION it enters the UPDATE state: the
// messages marked with DELE are removed (RFC 1939 §6). In AUTHORIZATION
// nothing is touched.
func (s *session) cmdQUIT(args string) (*Error, error) {
	if s.state == authorization {
		s.reply("+OK " + s.srv.opts.Hostname + " POP3 server signing off")
		return nil, errQuit
	}
	removed := s.md.Commit()
	s.md = nil // committed: the deferred Release has nothing left to do
	left := s.inbox.Status().Messages
	s.reply(fmt.Sprintf("+OK %s POP3 server signing off (%d message%s deleted, %d left)",
		s.srv.opts.Hostname, removed, plural(removed), left))
	return nil, errQuit
}

// cmdSTLS upgrades the connection to TLS (RFC 2595 §4). After the +OK the
// next bytes are the client's TLS handshake; anything the client sent in
// clear text after STLS is thrown away, so it cannot be injected into the
// encrypted session (the STARTTLS command injection attack).
func (s *session) cmdSTLS(args string) (*Error, error) {
	switch {
	case strings.TrimSpace(args) != "":
		return errText("STLS takes no argument"), nil
	case s.srv.opts.TLSConfig == nil:
		return errText("STLS is not available on this server"), nil
	case s.secure:
		return errText("the connection is already encrypted (TLS)"), nil
	}
	s.reply("+OK Begin TLS negotiation")
	if err := s.flush(); err != nil {
		return nil, err
	}
	if n := s.r.Buffered(); n > 0 {
		s.r.Discard(n)
	}
	tc := tls.Server(s.conn, s.srv.opts.TLSConfig)
	// A client gets a minute to finish the handshake. Close cuts it short:
	// it sets closing before its own deadlines, which this one may override.
	s.raw.SetDeadline(time.Now().Add(time.Minute))
	if s.closing.Load() {
		s.silent = true
		return nil, errShutdown
	}
	if err := tc.Handshake(); err != nil {
		s.srv.logger.Printf("pop3: STLS handshake with %s failed: %v", s.raw.RemoteAddr(), err)
		s.silent = true // the client expects TLS records now, not a clear-text goodbye
		return nil, err
	}
	s.raw.SetDeadline(time.Time{})
	s.readDeadline = time.Time{} // the idle timer must be set again
	s.conn = tc
	s.r.Reset(tc)
	s.w.Reset(tc)
	s.secure = true
	s.userName = "" // RFC 2595 §4: forget what was said in clear text
	return nil, nil
}
