// Package imap is mailtutor's IMAP server: an imapserver.Session (go-imap v2)
// over simulator/store, so that IMAP sees the same mail as POP3 and SMTP.
//
// It is modelled on go-imap's imapmemserver with its known bugs fixed: flags
// keep their case, PERMANENTFLAGS lists the system flags, \Recent is real,
// FETCH answers exactly what was asked, and MOVE reports proper EXPUNGEs.
package imap

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Options configure a Server.
type Options struct {
	// Store is the shared mail store (required).
	Store *store.Store
	// Role is the listener role this server plays (imap or imaps).
	Role wire.Role
	// Hostname names the server in its greeting text.
	Hostname string
	// TLSConfig is used for STARTTLS; nil means STARTTLS is not offered.
	TLSConfig *tls.Config
	// RequireTLS refuses LOGIN and AUTHENTICATE before TLS on this listener
	// (the library then advertises LOGINDISABLED).
	RequireTLS bool
	// Faults are the faults switched on at run time (nil: none). This
	// package implements auth-fail and tls-required.
	Faults *fault.Set
	// Logger receives library diagnostics; nil discards them. Never stderr:
	// the TUI owns the terminal.
	Logger *log.Logger
	// Now is the clock; nil means time.Now. (Internal dates come from the store.)
	Now func() time.Time
	// Pause waits before a failed login is answered, for
	// store.FailedLoginDelay (the simulator passes its clock's Sleep, so a
	// manual clock never sleeps); nil means time.Sleep.
	Pause func(time.Duration)
}

// Server serves IMAP over the store. One Server value per listener role.
type Server struct {
	opts   Options
	lib    *imapserver.Server
	cancel func()   // stops watching the store
	cache  sync.Map // Body.ID -> *parsedMessage: parsed structure, never the bytes

	mu       sync.Mutex
	boxes    map[*store.Mailbox]*boxState
	sessions map[*session]struct{}
	closed   bool
	// byConn finds a session by the connection go-imap was given (see
	// connKey), for the relay's extension commands (Extension);
	// registered is closed and replaced whenever a session is added.
	byConn     map[net.Conn]*session
	registered chan struct{}

	sessionEnded func(open int) // test hook: a session has ended, open remain (nil in production)
}

// boxState follows one store mailbox for the sessions that select it.
// version counts the message changes seen by the watcher: a session compares
// it before and after reading the store to know its snapshot is consistent
// with the tracker (see session.snapshot).
type boxState struct {
	user, name string // to forget the state when the mailbox is deleted
	version    uint64
	count      uint32 // messages in the mailbox as of version (the tracker's server-side count)
	expunges   uint64 // messages expunged so far, each queued on the tracker (see selected.expungesSeen)
	// keywords are the keywords every session has been (or will be) told
	// in FLAGS, in the order first used. A change that brings a new one
	// queues a new FLAGS before itself: a client must never see a keyword
	// that its FLAGS list lacks (imaptest checks this).
	keywords []string
	tracker  *imapserver.MailboxTracker // nil until a session selects the mailbox
	// wake has one channel per session selecting the mailbox, poked after
	// every queued update. The library's SessionTracker.Idle registers for
	// updates only after "+ idling" has gone out, so an update landing in
	// between would wait for the next one; session.Idle polls on these
	// pokes instead.
	wake map[chan struct{}]struct{}
}

// pokeLocked wakes the idling sessions on the mailbox (s.mu held).
func (st *boxState) pokeLocked() {
	for ch := range st.wake {
		select {
		case ch <- struct{}{}:
		default: // already poked: one pending wake-up is enough
		}
	}
}

// New returns a server; call Serve to accept connections.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Pause == nil {
		opts.Pause = time.Sleep
	}
	logger := opts.Logger
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	s := &Server{opts: opts, boxes: make(map[*store.Mailbox]*boxState), sessions: make(map[*session]struct{}),
		byConn: make(map[net.Conn]*session), registered: make(chan struct{})}
	caps := imap.CapSet{
		imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {},
		// IMAP4rev1 clients only see these when listed one by one.
		imap.CapNamespace: {}, imap.CapUIDPlus: {}, imap.CapESearch: {}, imap.CapSearchRes: {},
		imap.CapListExtended: {}, imap.CapListStatus: {}, imap.CapMove: {}, imap.CapStatusSize: {},
		imap.CapChildren: {}, imap.CapSpecialUse: {}, imap.CapCreateSpecialUse: {}, imap.CapLiteralPlus: {},
		// RFC 3516: answered by go-imap and fetch.go; the relay puts back
		// the origin of a partial (imap.CorrectBinaryOrigin).
		imap.CapBinary: {},
	}
	s.lib = imapserver.New(&imapserver.Options{
		NewSession: s.newSession,
		Caps:       caps,
		Logger:     logger,
		TLSConfig:  opts.TLSConfig,
		// Loopback plaintext is the normal case in a teaching tool; the
		// tls-required fault is checked per LOGIN instead (session.Login).
		InsecureAuth: !opts.RequireTLS,
	})
	// One watcher per server, not per session: it feeds the trackers.
	s.cancel = opts.Store.Watch(s.onChange)
	return s
}

// Serve accepts connections on l until l is closed or Close is called.
func (s *Server) Serve(l net.Listener) error {
	return s.lib.Serve(l)
}

// Close says "* BYE" to every session, then closes the listeners and the
// connections (imapserver.Server.Close alone hangs up without a word).
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var open []*session
	for sess := range s.sessions {
		open = append(open, sess)
	}
	s.mu.Unlock()
	s.cancel()

	var wg sync.WaitGroup
	for _, sess := range open {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess.conn.Bye("mailtutor IMAP server shutting down")
		}()
	}
	wg.Wait()
	return s.lib.Close()
}

func (s *Server) newSession(conn *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
	sess := &session{srv: s, conn: conn, key: connKey(conn.NetConn())}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, &imap.Error{Type: imap.StatusResponseTypeBye, Text: "Server shutting down"}
	}
	s.sessions[sess] = struct{}{}
	s.byConn[sess.key] = sess
	close(s.registered)
	s.registered = make(chan struct{})
	return sess, nil, nil
}

func (s *Server) forget(sess *session) {
	s.mu.Lock()
	delete(s.sessions, sess)
	if s.byConn[sess.key] == sess {
		delete(s.byConn, sess.key)
	}
	hook, open := s.sessionEnded, len(s.sessions)
	s.mu.Unlock()
	if hook != nil {
		hook(open)
	}
}

// onChange runs under the store lock for every change, in order. It must not
// call the store. Lock order everywhere: store, then s.mu, then trackers.
func (s *Server) onChange(c store.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch c.Kind {
	case store.MailboxDeleted:
		for mb, st := range s.boxes {
			if st.user == c.User && st.name == c.Mailbox {
				delete(s.boxes, mb)
			}
		}
		return
	case store.MailboxRenamed:
		if st := s.boxes[c.Box]; st != nil {
			st.name = c.Mailbox
		}
		return
	case store.MessageAdded, store.MessageRemoved, store.FlagsChanged:
	default:
		return
	}
	st := s.stateLocked(c.Box, c.User, c.Mailbox)
	st.version++
	st.count = c.NumMessages
	if c.Kind == store.MessageRemoved {
		st.expunges++
	}
	newKeyword := false
	for _, f := range c.Flags {
		if !strings.HasPrefix(f, `\`) && !hasFold(st.keywords, f) {
			st.keywords = append(st.keywords, f)
			newKeyword = true
		}
	}
	if st.tracker == nil {
		return
	}
	if newKeyword {
		st.tracker.QueueMailboxFlags(st.mailboxFlags())
	}
	switch c.Kind {
	case store.MessageAdded:
		st.tracker.QueueNumMessages(c.NumMessages)
	case store.MessageRemoved:
		st.tracker.QueueExpunge(c.SeqNum)
	case store.FlagsChanged:
		// A session's own STORE answers for itself: don't echo it back.
		source, _ := c.Origin.(*imapserver.SessionTracker)
		st.tracker.QueueMessageFlags(c.SeqNum, imap.UID(c.UID), toFlags(c.Flags), source)
	}
	st.pokeLocked()
}

// mailboxFlags is the FLAGS list: the system flags, then the keywords.
func (st *boxState) mailboxFlags() []imap.Flag {
	return append(append([]imap.Flag(nil), systemFlags...), toFlags(st.keywords)...)
}

func hasFold(list []string, s string) bool {
	for _, have := range list {
		if strings.EqualFold(have, s) {
			return true
		}
	}
	return false
}

func (s *Server) stateLocked(mb *store.Mailbox, user, name string) *boxState {
	st := s.boxes[mb]
	if st == nil {
		st = &boxState{user: user, name: name, wake: make(map[chan struct{}]struct{})}
		s.boxes[mb] = st
	}
	return st
}

func (s *Server) parsed(b *store.Body) *parsedMessage {
	if p, ok := s.cache.Load(b.ID); ok {
		return p.(*parsedMessage)
	}
	p, _ := s.cache.LoadOrStore(b.ID, parseMessage(b.Raw, b.HeaderLen))
	return p.(*parsedMessage)
}

func toFlags(in []string) []imap.Flag {
	out := make([]imap.Flag, len(in))
	for i, f := range in {
		out[i] = imap.Flag(f)
	}
	return out
}
