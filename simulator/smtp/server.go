// Package smtp is the SMTP side of mailtutor's simulated world: an MX that
// accepts mail for the store's local domains, and the submission listeners
// (plain with STARTTLS, and implicit TLS) where users log in with AUTH and
// may send anywhere. It is built on github.com/emersion/go-smtp, which
// speaks the protocol; this package decides policy (who may send what to
// whom) and delivers into simulator/store.
//
// Every refusal is an *smtp.SMTPError whose text says what happened and why,
// because a learner reads each reply (see errors.go).
package smtp

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/mailtutor/mailtutor/simulator/dns"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// DefaultMaxMessageBytes is the SIZE limit when Options.MaxMessageBytes is 0.
const DefaultMaxMessageBytes = 10 << 20

// MaxMessageBytes is the SIZE limit a server given opts.MaxMessageBytes
// enforces.
func MaxMessageBytes(opt int64) int64 {
	if opt <= 0 {
		return DefaultMaxMessageBytes
	}
	return opt
}

// MaxLineLength is the longest line accepted, in octets. RFC 5321
// §4.5.3.1.6 limits a text line to 1000 octets; go-smtp's default doubles
// it for leniency, and so do we.
const MaxLineLength = 2000

// DefaultIdleTimeout is how long a session may stay silent when
// Options.IdleTimeout is 0. Learners type slowly and read annotations
// between commands, so it is generous (RFC 5321 §4.5.3.2 suggests 5 minutes
// between commands).
const DefaultIdleTimeout = 10 * time.Minute

// Options configure a Server. Only Store is required.
type Options struct {
	// Store is the shared mail store: local domains, users, mailboxes.
	Store *store.Store
	// Role is the listener this server plays: wire.RoleMX (inbound mail for
	// local domains, no AUTH), wire.RoleSubmission or wire.RoleSubmissions
	// (AUTH required, may send anywhere). Empty means RoleMX.
	Role wire.Role
	// Hostname names the server in the greeting and in Received headers.
	// Empty means "localhost".
	Hostname string
	// TLSConfig enables STARTTLS, and serves the implicit TLS of a listener
	// that hands Serve *tls.Conn (see Serve). Nil means STARTTLS is not
	// offered.
	TLSConfig *tls.Config
	// PlainAuth offers and accepts AUTH on the plaintext submission
	// listener before STARTTLS, as servers did before RFC 8314 (the
	// plain-auth fault does the same at run time). False, the default, is
	// what today's providers do: no AUTH in the EHLO list and 530 5.7.0 to
	// AUTH until the session is encrypted. Implicit TLS offers AUTH at once
	// either way, and the MX never offers it.
	PlainAuth bool
	// RequireTLS keeps AUTH behind TLS even when PlainAuth or the
	// plain-auth fault would allow it in clear (the tls-required fault does
	// the same at run time). The simulator sets it with
	// Options.RequireTLSForAuth, which also covers POP3 and IMAP.
	RequireTLS bool
	// Faults are the faults switched on at run time; nil means none.
	Faults *fault.Set
	// Logger receives go-smtp's internal error log. Nil discards it: the
	// TUI owns the terminal, so nothing may go to stderr.
	Logger *log.Logger
	// Now is the clock for Received dates and internal dates; nil means time.Now.
	Now func() time.Time
	// MaxMessageBytes is the SIZE limit (RFC 1870) for a message body as
	// sent by the client; 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// IdleTimeout ends a session that sends nothing for this long (421
	// 4.4.2); 0 means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// Relay delivers a message to another domain of the simulated world
	// (the simulator sends it over real SMTP to the MX listener, so the
	// learner sees the hop). It is called on the submission roles before the
	// 250 after DATA; an error refuses the whole message. Nil means such
	// recipients are delivered straight into their INBOX.
	Relay func(env Envelope) error
	// Pause waits before a failed login is answered, for
	// store.FailedLoginDelay (the simulator passes its clock's Sleep, so a
	// manual clock never sleeps); nil means time.Sleep.
	Pause func(time.Duration)
	// Queue takes mail for domains outside the world (it never goes to the
	// network). Nil means such recipients are refused at RCPT.
	Queue func(env Envelope)
	// DNS is the world's DNS. With it, the MX checks SPF at MAIL FROM and
	// DKIM and DMARC after DATA, refuses what fails (550 5.7.1, 550 5.7.26)
	// and writes Authentication-Results into what it delivers (see
	// authcheck.go). Nil means no checks and no such header.
	DNS dns.Resolver
	// DKIMKey returns the key the submission roles sign a domain's outgoing
	// mail with (mail leaving for another domain or the outbound queue);
	// nil, or false for a domain, means no signature.
	DKIMKey func(domain string) (DKIMKey, bool)
}

// Envelope is a message handed on by the submission server: to the next hop
// in the world (Options.Relay) or to the outbound queue (Options.Queue).
type Envelope struct {
	From     string    // MAIL FROM address, "" for the null sender <>
	To       []string  // RCPT TO addresses for this hop
	Data     []byte    // the message with this server's Received header on top, CRLF line endings
	Received time.Time // when this server accepted it
	Session  string    // wire session id of the connection that sent it (filled by the simulator from Peer)
	Peer     string    // the client's address as this server saw it ("ip:port")
	DSN      DSN       // what the client asked to be told (RFC 3461), passed on to the next hop
}

// Server is one SMTP listener role over the store.
type Server struct {
	opts   Options
	smtp   *gosmtp.Server
	nextID atomic.Uint64 // queue ids, shown in Received headers and in "250 ... queued as"

	// dmarcFailures counts messages that failed DMARC under a record with
	// pct= below 100, to apply the policy to that share of them.
	dmarcFailures atomic.Uint64

	// readBufs holds buffers a message is read into: every delivered copy is
	// built afresh, so the buffer can serve the next message.
	readBufs sync.Pool

	// busy counts sessions with an open mail transaction (from an accepted
	// MAIL to its end). Close waits for it to reach zero, so that once Close
	// returns no delivery is half-way and the store is final.
	mu     sync.Mutex
	idle   *sync.Cond
	busy   int
	closed bool
	// correctors are the tap's corrections for connections about to be
	// accepted (Corrector), until the listener hands them over.
	correctors map[net.Conn]*Corrector
}

// New returns a server for one role. Call Serve to accept connections.
func New(opts Options) *Server {
	if opts.Role == "" {
		opts.Role = wire.RoleMX
	}
	if opts.Hostname == "" {
		opts.Hostname = "localhost"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.MaxMessageBytes = MaxMessageBytes(opts.MaxMessageBytes)
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.Pause == nil {
		opts.Pause = time.Sleep
	}
	s := &Server{opts: opts}
	s.idle = sync.NewCond(&s.mu)

	srv := gosmtp.NewServer(gosmtp.BackendFunc(s.newSession))
	srv.Domain = opts.Hostname
	srv.TLSConfig = opts.TLSConfig
	srv.MaxMessageBytes = opts.MaxMessageBytes
	srv.MaxLineLength = MaxLineLength
	srv.ReadTimeout = opts.IdleTimeout
	srv.WriteTimeout = opts.IdleTimeout
	srv.EnableSMTPUTF8 = true
	// DSN (RFC 3461): NOTIFY, RET, ENVID and ORCPT are honoured (dsn.go).
	srv.EnableDSN = true
	// The TLS-before-AUTH policy can change at run time (the plain-auth
	// and tls-required faults), so go-smtp's static check is switched off
	// and the session decides per command and per EHLO (see auth.go).
	srv.AllowInsecureAuth = true
	if opts.Logger != nil {
		srv.ErrorLog = opts.Logger
	} else {
		srv.ErrorLog = log.New(io.Discard, "", 0)
	}
	s.smtp = srv
	return s
}

// Serve accepts connections on l until l is closed or Close is called.
// A listener that hands out *tls.Conn (implicit TLS) has its TLS set up again
// with Options.TLSConfig, beneath which the server watches the connection's
// end (see endconn.go); give such a role its TLSConfig.
func (s *Server) Serve(l net.Listener) error {
	return s.smtp.Serve(&endListener{Listener: l, tlsConfig: s.opts.TLSConfig, srv: s})
}

// Close closes the listeners and every session, then waits until no
// transaction is still running, so the store holds everything that was
// accepted and nothing half-delivered.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()

	err := s.smtp.Close()
	s.mu.Lock()
	for s.busy > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
	return err
}

// Role returns the role this server plays.
func (s *Server) Role() wire.Role { return s.opts.Role }

// submission reports whether the role requires AUTH and relays.
func (s *Server) submission() bool {
	return s.opts.Role == wire.RoleSubmission || s.opts.Role == wire.RoleSubmissions
}

func (s *Server) addBusy(n int) {
	s.mu.Lock()
	s.busy += n
	if s.busy == 0 {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}
