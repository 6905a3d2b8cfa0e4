// Package simulator is mailtutor's mail world: an in-memory store served over
// SMTP (relay and submission), POP3 and IMAP on loopback, with every byte of
// every session tapped as wire events. A Simulator is a value; several can
// run side by side in one process (the classroom runs one per learner).
package simulator

import (
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/mailtutor/mailtutor/simulator/dns"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/imap"
	"github.com/mailtutor/mailtutor/simulator/pop3"
	"github.com/mailtutor/mailtutor/simulator/smtp"
	"github.com/mailtutor/mailtutor/simulator/store"
	"github.com/mailtutor/mailtutor/simulator/tap"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// AllRoles lists every listener role in display order.
var AllRoles = []wire.Role{
	wire.RoleMX, wire.RoleSubmission, wire.RoleSubmissions,
	wire.RolePOP3, wire.RolePOP3S, wire.RoleIMAP, wire.RoleIMAPS,
}

// Options describe the world to build and where to serve it.
type Options struct {
	// Domains are the local domains; nil means example.com and example.org.
	Domains []string
	// Users replace the default users (alice@example.com, bob@example.org).
	Users []UserSpec
	// NoSeed leaves every mailbox empty instead of delivering sample messages.
	NoSeed bool
	// Roles are the listeners to start; nil means all seven.
	Roles []wire.Role
	// Listen gives an address per role; a missing role listens on 127.0.0.1:0.
	Listen map[wire.Role]string
	// TLSCertFile and TLSKeyFile name a certificate to use instead of the
	// generated one.
	TLSCertFile, TLSKeyFile string
	// StateDir keeps the generated certificate; "" means StateDir().
	StateDir string
	// RequireTLSForAuth enforces "TLS before login" on every listener:
	// POP3 and IMAP too (they accept a clear-text login by default), and on
	// SMTP submission even against PlainAuth and the plain-auth fault.
	// Submission wants TLS before AUTH by default anyway.
	RequireTLSForAuth bool
	// PlainAuth makes the plaintext SMTP submission listener offer and
	// accept AUTH before STARTTLS, the old behaviour (the plain-auth fault
	// does the same at run time): for showing why a clear-text login is
	// dangerous, and for watching a program that logs in without
	// encryption. By default AUTH waits for STARTTLS, as at today's
	// providers (RFC 8314).
	PlainAuth bool
	// Faults are switched on at start.
	Faults []fault.Name
	// Start, when non-zero, makes the clock manual, starting at this time.
	Start time.Time
	// Logger receives the server libraries' logs; nil discards them. Never
	// point it at the terminal the TUI draws on.
	Logger *log.Logger
	// MaxMessageBytes is the SMTP SIZE limit; 0 means 10 MiB.
	MaxMessageBytes int64
	// MailboxQuotaBytes limits one user's mail, every mailbox together:
	// SMTP answers 452 4.2.2 (mailbox full) and IMAP NO [OVERQUOTA] once
	// it is reached. 0 means DefaultMailboxQuotaBytes; negative, no limit.
	MailboxQuotaBytes int64
	// WorldBytes limits the mail the whole world holds, so that its memory
	// stays bounded however much mail arrives: SMTP answers 452 4.3.1
	// (insufficient system storage) and IMAP NO [LIMIT] once it is
	// reached. 0 means DefaultWorldBytes; negative, no limit.
	WorldBytes int64
	// Hostname names the servers in greetings and Received headers; "" means
	// "mail." + the first domain.
	Hostname string
	// DNS changes the world's DNS at start, one record a line as dns.Parse
	// reads it (`example.com TXT "v=spf1 -all"` replaces example.com's SPF
	// record; `-example.com TXT` removes its TXT records). Every domain
	// starts with dns.Defaults: MX, A, SPF, DMARC p=reject, a DKIM key.
	DNS []string
	// QueueLifetime is how long mail for domains outside the world waits in
	// the outbound queue before the world gives up and bounces it to the
	// sender (RFC 3464), on the simulator's clock; 0 means
	// smtp.DefaultQueueLifetime (5 days), negative means never.
	QueueLifetime time.Duration
}

// The storage limits when Options leave them 0. 50 MiB a user holds five
// messages at the 10 MiB SIZE limit, or thousands of ordinary ones: more
// than any lesson or afternoon of experiments needs, and little enough
// that a client flooding one mailbox is stopped early (issue 15: 60
// messages of 9.2 MB took the world to 1.1 GB). 1 GiB for the world keeps a
// serve with many users, or a client flooding all of them, inside what a
// laptop can spare; with the default two users the quotas bind first.
const (
	DefaultMailboxQuotaBytes = 50 << 20
	DefaultWorldBytes        = 1 << 30
)

// limit turns an Options storage limit into the store's: 0 means def,
// negative means none (the store's 0).
func limit(opt, def int64) int64 {
	switch {
	case opt == 0:
		return def
	case opt < 0:
		return 0
	}
	return opt
}

// UserSpec is a user to create.
type UserSpec struct {
	Address  string // alice@example.com
	Password string
	// Token is an OAuth 2.0 access token the world's provider issued to
	// this user ("" none): SMTP submission, IMAP and POP3 accept it with
	// SASL XOAUTH2 and OAUTHBEARER, which they offer once any user has one.
	Token string
	// PasswordLoginOff refuses this user's password logins, even with the
	// right password, as Microsoft's retirement of basic authentication
	// does (SMTP 535 5.7.139): only the Token logs in.
	PasswordLoginOff bool
}

// DefaultUsers are the people of the default world; lessons and the README
// quote their passwords.
var defaultUsers = []UserSpec{
	{Address: "alice@example.com", Password: "wonderland"},
	{Address: "bob@example.org", Password: "builder"},
}

// DefaultUsers returns the default world's users.
func DefaultUsers() []UserSpec { return append([]UserSpec(nil), defaultUsers...) }

// server is what the three protocol packages provide.
type server interface {
	Serve(l net.Listener) error
	Close() error
}

// Simulator is one running mail world.
type Simulator struct {
	opts      Options
	clock     *Clock
	store     *store.Store
	faults    *fault.Set
	hub       *wire.Hub
	cert      tls.Certificate
	certPool  *x509.CertPool
	tlsConfig *tls.Config // the relay's, towards real clients
	innerTLS  *tls.Config // the relay's client side, towards the libraries
	logger    *log.Logger
	hostname  string

	summaries sync.Map // store.Body.ID → headerSummary, for Snapshot

	relays  map[wire.Role]*tap.Relay
	hold    tap.Hold // every relay's: HoldRelays
	servers []server
	serveWG sync.WaitGroup

	mu       sync.Mutex
	nextID   int
	sessions map[wire.SessionID]*tap.Session
	byPeer   map[string]peerSession
	// endedPeers remembers the ids of sessions that ended before Dial could
	// look them up (a refused connection ends at once); bounded.
	endedPeers map[string]peerSession
	peerCond   *sync.Cond
	outbound   []smtp.Envelope
	watchers   map[int]func()
	nextWatch  int
	closed     bool
	stopWatch  func()

	zone      *dns.Zone                     // the world's DNS (auth.go)
	dkimKeys  map[string]ed25519.PrivateKey // per domain, published in zone
	queueStop chan struct{}                 // closed by Close: the queue timer stops
}

// New builds the world and starts listening. The listeners are ready when it
// returns.
func New(opts Options) (*Simulator, error) {
	s := &Simulator{
		opts:       opts,
		clock:      newClock(opts.Start),
		faults:     fault.NewSet(),
		hub:        wire.NewHub(),
		relays:     map[wire.Role]*tap.Relay{},
		sessions:   map[wire.SessionID]*tap.Session{},
		byPeer:     map[string]peerSession{},
		endedPeers: map[string]peerSession{},
		watchers:   map[int]func(){},
		logger:     opts.Logger,
		queueStop:  make(chan struct{}),
	}
	s.peerCond = sync.NewCond(&s.mu)
	if s.logger == nil {
		s.logger = log.New(io.Discard, "", 0)
	}
	s.store = store.New(store.Options{Now: s.clock.Now,
		MailboxQuotaBytes: limit(opts.MailboxQuotaBytes, DefaultMailboxQuotaBytes),
		WorldBytes:        limit(opts.WorldBytes, DefaultWorldBytes)})
	for _, f := range opts.Faults {
		s.faults.Enable(f, true)
	}
	if err := s.buildWorld(); err != nil {
		return nil, err
	}
	if err := s.buildDNS(); err != nil {
		return nil, err
	}
	s.hostname = opts.Hostname
	if s.hostname == "" {
		s.hostname = "mail." + s.store.Domains()[0]
	}
	cert, err := loadCertificate(opts.TLSCertFile, opts.TLSKeyFile, opts.StateDir)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	s.cert = cert
	s.certPool = x509.NewCertPool()
	if leaf, err := x509.ParseCertificate(cert.Certificate[0]); err == nil {
		s.certPool.AddCert(leaf)
	}
	// No TLS 1.3 session tickets: they arrive after the handshake as
	// records with no application data, which imaplib2 (offlineimap) can
	// read as an empty read and give up on the connection ("Too many read
	// 0"; 3 runs in 90 under load, none in 100 without them). Resuming a
	// session saves nothing on loopback.
	s.tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, SessionTicketsDisabled: true}
	// The relay's own TLS towards the libraries runs over an in-memory pipe
	// with the same certificate: verifying it against itself would teach
	// nothing and cost time.
	s.innerTLS = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec
	s.stopWatch = s.store.Watch(func(store.Change) { s.notify() })

	roles := opts.Roles
	if roles == nil {
		roles = AllRoles
	}
	for _, role := range roles {
		if err := s.startRole(role); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Simulator) startRole(role wire.Role) error {
	addr := s.opts.Listen[role]
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	public, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s listener on %s: %w", role, addr, err)
	}
	srv := s.newServer(role)
	s.servers = append(s.servers, srv)
	r := s.newRelay(role, public, srv)
	var lib = r.Listener()
	if role.ImplicitTLS() {
		lib = tls.NewListener(lib, s.serverTLS())
	}
	s.relays[role] = r
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		srv.Serve(lib)
	}()
	r.Start()
	return nil
}

// serverTLS is the libraries' own TLS configuration (they terminate the
// relay's inner TLS).
func (s *Simulator) serverTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12}
}

func (s *Simulator) newServer(role wire.Role) server {
	requireTLS := s.opts.RequireTLSForAuth
	switch role.Proto() {
	case wire.POP3:
		return pop3.New(pop3.Options{Store: s.store, Role: role, Hostname: s.hostname, TLSConfig: s.serverTLS(),
			RequireTLS: requireTLS, Faults: s.faults, Logger: s.logger, Now: s.clock.Now, Pause: s.clock.Sleep})
	case wire.IMAP:
		return imap.New(imap.Options{Store: s.store, Role: role, Hostname: s.hostname, TLSConfig: s.serverTLS(),
			RequireTLS: requireTLS, Faults: s.faults, Logger: s.logger, Now: s.clock.Now, Pause: s.clock.Sleep})
	default:
		hostname := s.hostname
		if role == wire.RoleMX {
			hostname = s.mxHostname()
		}
		return smtp.New(smtp.Options{Store: s.store, Role: role, Hostname: hostname, TLSConfig: s.serverTLS(),
			RequireTLS: requireTLS, PlainAuth: s.opts.PlainAuth, Faults: s.faults, Logger: s.logger, Now: s.clock.Now,
			MaxMessageBytes: s.opts.MaxMessageBytes, Relay: s.relayHop, Queue: s.enqueue, Pause: s.clock.Sleep,
			DNS: s.zone, DKIMKey: s.dkimKey})
	}
}

// Addr returns the address a role listens on, or "" if it is not running.
func (s *Simulator) Addr(role wire.Role) string {
	if r, ok := s.relays[role]; ok {
		return r.Addr().String()
	}
	return ""
}

// Roles lists the roles running, in display order.
func (s *Simulator) Roles() []wire.Role {
	var out []wire.Role
	for _, r := range AllRoles {
		if _, ok := s.relays[r]; ok {
			out = append(out, r)
		}
	}
	return out
}

// Subscribe delivers wire events of every session from now on.
func (s *Simulator) Subscribe(o wire.SubscribeOptions) *wire.Subscription { return s.hub.Subscribe(o) }

// LastSeq is the sequence number of the last wire event published, so a
// consumer can wait until it has seen everything up to now.
func (s *Simulator) LastSeq() uint64 { return s.hub.LastSeq() }

// Store returns the mail store.
func (s *Simulator) Store() *store.Store { return s.store }

// Clock returns the simulator's clock.
func (s *Simulator) Clock() *Clock { return s.clock }

// Faults returns the fault switches.
func (s *Simulator) Faults() *fault.Set { return s.faults }

// HoldRelays pauses every connection for d (or until a later call's
// end): no connection is accepted and no byte passes either way, so a
// screen answering a key gets the cores while programs flood the world.
// Clients see a short pause, nothing else.
func (s *Simulator) HoldRelays(d time.Duration) { s.hold.For(d) }

// SetFault switches a fault on or off at run time.
func (s *Simulator) SetFault(name fault.Name, on bool) {
	s.faults.Enable(name, on)
	s.notify()
}

// Hostname is the servers' name in greetings.
func (s *Simulator) Hostname() string { return s.hostname }

// Certificate returns the TLS certificate the servers present.
func (s *Simulator) Certificate() tls.Certificate { return s.cert }

// CertPool trusts the servers' certificate, for clients in the same process.
func (s *Simulator) CertPool() *x509.CertPool { return s.certPool }

// Watch calls fn after any change to the world (mail, flags, POP3 marks,
// the outbound queue, faults, sessions). fn must be quick and must not block:
// it may run while the store is locked; read the new state with Snapshot
// from another goroutine.
func (s *Simulator) Watch(fn func()) (cancel func()) {
	s.mu.Lock()
	id := s.nextWatch
	s.nextWatch++
	s.watchers[id] = fn
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.watchers, id)
		s.mu.Unlock()
	}
}

func (s *Simulator) notify() {
	s.mu.Lock()
	fns := make([]func(), 0, len(s.watchers))
	for _, fn := range s.watchers {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// registerSession gives the session its id (under the simulator's lock, so
// Snapshot may read it from any goroutine) and makes it findable by Dial.
func (s *Simulator) registerSession(sess *tap.Session) wire.SessionID {
	addr := sess.Info().Addr
	s.mu.Lock()
	s.nextID++
	id := wire.SessionID("s" + strconv.Itoa(s.nextID))
	s.sessions[id] = sess
	if addr != "" {
		s.byPeer[dialKey(addr, sess.ListenerAddr())] = peerSession{id: id, n: s.nextID}
	}
	s.peerCond.Broadcast()
	s.mu.Unlock()
	s.notify()
	return id
}

func (s *Simulator) unregisterSession(sess *tap.Session) {
	info := sess.Info()
	s.mu.Lock()
	delete(s.sessions, info.ID)
	key := dialKey(info.Addr, sess.ListenerAddr())
	if p, ok := s.byPeer[key]; ok && p.id == info.ID {
		// (A later connection from the same address, the port used
		// again, may have taken the entry over.)
		delete(s.byPeer, key)
		if len(s.endedPeers) >= 1024 {
			clear(s.endedPeers)
		}
		s.endedPeers[key] = p
	}
	s.mu.Unlock()
	s.notify()
}

// dialKey names a connection by both ends: the kernel may give two
// connections to different listeners the same client port at once.
func dialKey(client, listener string) string { return client + " " + listener }

// peerSession is the session of one connection (see dialKey), and its
// number in the order sessions were registered.
type peerSession struct {
	id wire.SessionID
	n  int
}

// dialMark is the number of the last session registered so far: a
// connection made after this call gets a later one.
func (s *Simulator) dialMark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextID
}

// sessionFor waits until the relay has registered the connection key (see
// dialKey), made after dialMark returned mark. An older session of the same
// key (the kernel used the port again) is not it.
func (s *Simulator) sessionFor(key string, mark int, timeout time.Duration) (wire.SessionID, error) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		s.peerCond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if p, ok := s.byPeer[key]; ok && p.n > mark {
			return p.id, nil
		}
		if p, ok := s.endedPeers[key]; ok && p.n > mark {
			delete(s.endedPeers, key)
			return p.id, nil
		}
		if s.closed || time.Now().After(deadline) {
			return "", errors.New("the simulator did not register the connection")
		}
		s.peerCond.Wait()
	}
}

// Close ends every session and listener. Safe to call more than once.
func (s *Simulator) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.peerCond.Broadcast()
	s.mu.Unlock()
	s.clock.stopSleeping() // a failed login's wait ends now
	close(s.queueStop)
	for _, r := range s.relays {
		r.Close()
	}
	// Every Serve has returned before the servers are closed: go-imap's
	// Server.Close races with a Serve that has not yet started.
	s.serveWG.Wait()
	// The libraries say goodbye (IMAP's * BYE, POP3's -ERR) through the
	// still-open relays before the sessions are torn down. Concurrently: a
	// submission server waiting on a relay hop must not wait for the MX
	// server to be closed after it.
	var closing sync.WaitGroup
	for _, srv := range s.servers {
		closing.Add(1)
		go func() {
			defer closing.Done()
			srv.Close()
		}()
	}
	closing.Wait()
	s.mu.Lock()
	var open []*tap.Session
	for _, sess := range s.sessions {
		open = append(open, sess)
	}
	s.mu.Unlock()
	for _, sess := range open {
		sess.Finish("the simulator shut down")
	}
	for _, r := range s.relays {
		r.Wait()
	}
	if s.stopWatch != nil {
		s.stopWatch()
	}
	s.hub.Close()
	return nil
}

// SessionInfo describes an open session.
type SessionInfo struct {
	ID        wire.SessionID
	Role      wire.Role
	Peer      string
	Encrypted bool
	Opened    time.Time
	// ClientID is what an IMAP client said it is with ID (RFC 2971), e.g.
	// "Thunderbird 115.3.1 (Linux)"; "" when it has not said.
	ClientID string
}

func (s *Simulator) openSessions() []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SessionInfo
	for id, sess := range s.sessions {
		i := sess.Info() // (its ID may not be set yet: the key is)
		out = append(out, SessionInfo{ID: id, Role: i.Role, Peer: i.Peer, Encrypted: i.Encrypted, Opened: i.Opened, ClientID: i.ClientID})
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(string(out[i].ID[1:]))
		b, _ := strconv.Atoi(string(out[j].ID[1:]))
		return a < b
	})
	return out
}
