// Package pop3 is mailtutor's own POP3 server over the shared store: RFC 1939
// (USER/PASS, APOP, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT),
// RFC 2449 CAPA and response codes, RFC 2595 STLS, RFC 5034 SASL AUTH (PLAIN
// and LOGIN) and RFC 3206 codes ([AUTH], [SYS/TEMP], [IN-USE]).
//
// One Server value serves one listener role. Each connection is a session
// with its own goroutine; the maildrop lock lives in the store, so POP3 and
// IMAP see the same mail and the same changes.
package pop3

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// DefaultIdleTimeout is how long a session may stay silent before the server
// hangs up: RFC 1939 §3 says the autologout timer must be at least 10 minutes.
const DefaultIdleTimeout = 10 * time.Minute

// Options configure a Server.
type Options struct {
	// Store is the shared mail store (required).
	Store *store.Store
	// Role is the listener role this server value plays (pop3 or pop3s).
	// It is informational: whether a session is encrypted is decided by its
	// connection being a *tls.Conn, as the simulator's API requires.
	Role wire.Role
	// Hostname names the server in the greeting and in the APOP timestamp;
	// "" means "localhost".
	Hostname string
	// TLSConfig is used for STLS; nil means STLS is neither offered nor accepted.
	TLSConfig *tls.Config
	// RequireTLS refuses USER, APOP and AUTH until the session is encrypted.
	RequireTLS bool
	// Faults are the faults switched on at run time (nil: none). This server
	// implements auth-fail and tls-required.
	Faults *fault.Set
	// Logger receives diagnostics (failed TLS handshakes and the like); nil
	// discards them. Never pass a logger writing to stderr: the TUI owns it.
	Logger *log.Logger
	// Now is the clock used for the APOP timestamp; nil means time.Now.
	Now func() time.Time
	// IdleTimeout ends a session that sends nothing for this long; 0 means
	// DefaultIdleTimeout (10 minutes, RFC 1939 §3).
	IdleTimeout time.Duration
	// Pause waits before a failed login is answered, for
	// store.FailedLoginDelay (the simulator passes its clock's Sleep, so a
	// manual clock never sleeps); nil means time.Sleep.
	Pause func(time.Duration)
}

// Server is a POP3 server over the store.
type Server struct {
	opts   Options
	logger *log.Logger
	now    func() time.Time
	idle   time.Duration
	pause  func(time.Duration) // Options.Pause, or time.Sleep

	// greetings numbers the APOP timestamps so that every one is unique,
	// even with a manual clock that stands still.
	greetings atomic.Uint64

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	sessions  map[*session]struct{}
	wg        sync.WaitGroup // running sessions
}

// New returns a server; it does nothing until Serve.
func New(opts Options) *Server {
	s := &Server{
		opts:      opts,
		logger:    opts.Logger,
		now:       opts.Now,
		idle:      opts.IdleTimeout,
		listeners: make(map[net.Listener]struct{}),
		sessions:  make(map[*session]struct{}),
	}
	if s.opts.Hostname == "" {
		s.opts.Hostname = "localhost"
	}
	if s.logger == nil {
		s.logger = log.New(io.Discard, "", 0)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.idle <= 0 {
		s.idle = DefaultIdleTimeout
	}
	s.pause = opts.Pause
	if s.pause == nil {
		s.pause = time.Sleep
	}
	return s
}

// Serve accepts connections on l until l is closed or Close is called. It
// returns nil after Close, otherwise the error that stopped the listener.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()

	for {
		conn, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue // a transient accept failure; keep serving the others
			}
			return err
		}
		sess := newSession(s, conn)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return nil
		}
		s.sessions[sess] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			sess.serve()
			s.mu.Lock()
			delete(s.sessions, sess)
			s.mu.Unlock()
		}()
	}
}

// Close stops accepting, tells every session "-ERR [SYS/TEMP] server shutting
// down", hangs up, and waits until every session has released its maildrop
// lock (nothing marked is deleted: no session reached the UPDATE state).
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	open := make([]*session, 0, len(s.sessions))
	for sess := range s.sessions {
		open = append(open, sess)
	}
	s.mu.Unlock()

	for _, sess := range open {
		sess.shutdown()
	}
	s.wg.Wait()
	return nil
}

// tlsRequired reports whether clear-text sessions must not log in: the
// listener's policy or the tls-required fault (which can change at any time).
func (s *Server) tlsRequired() bool {
	return s.opts.RequireTLS || s.opts.Faults.On(fault.TLSRequired)
}
