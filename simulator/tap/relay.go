package tap

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Package tap is mailtutor's TLS relay and plaintext tap: it stands between
// a real TCP listener and a server library, and publishes every byte of
// every session as wire events with the protocol model's facts. It knows
// no protocol beyond what the model (simulator/wire) tells it; what a
// server corrects in its library's conversation comes from the server's
// package through a Corrector. The simulator's root package wires servers,
// relays and the event hub together.
//
// A connection that starts in plaintext is handed to the library directly,
// wrapped in a tapConn (tapconn.go) that taps its reads and writes. Where
// TLS is spoken (implicit TLS, or once the server agrees to STARTTLS) the
// relay terminates the client's TLS itself and opens its own TLS to the
// library over an in-memory pipe, so the library still sees a real
// *tls.Conn and keeps its own TLS behaviour, while the tap in between sees
// plaintext.

// Publisher receives the wire events of the relay's sessions (a *wire.Hub).
type Publisher interface {
	// Publish delivers an event whose bytes the caller keeps unchanged.
	Publish(e wire.Event) wire.Event
	// PublishTransient delivers an event whose bytes the caller reuses
	// after the call: a subscriber that keeps it copies them.
	PublishTransient(e wire.Event) wire.Event
	// PublishTransientBatch is PublishTransient for events of one instant.
	PublishTransientBatch(events []wire.Event)
	// Active reports whether anyone listens; when nobody does, the relay
	// builds no events.
	Active() bool
}

// Clock stamps events.
type Clock interface {
	Now() time.Time
}

// Faults is what the relay reads of the fault switches, at each use (they
// change at run time).
type Faults interface {
	// RefuseConnections: new connections are refused (Options.Busy).
	RefuseConnections() bool
	// Pace is how long each server line waits before it goes out, one line
	// at a time (a slow link); 0 for none.
	Pace() time.Duration
	// DropAfter reports whether the connection is to be dropped at the
	// client's next bytes, now that the server gave this reply (a Piece
	// that completes a command).
	DropAfter(reply wire.Piece) bool
}

// Options configure a Relay.
type Options struct {
	// Role is the listener's role; its protocol chooses the model.
	Role wire.Role
	// Public is the real listener clients connect to; the relay closes it.
	Public net.Listener
	// TLS answers the clients' TLS (implicit-TLS roles, and after
	// STARTTLS); InnerTLS is the relay's client side towards the library.
	TLS, InnerTLS *tls.Config
	// Publisher receives every session's events.
	Publisher Publisher
	// Clock stamps the events.
	Clock Clock
	// Faults are read at each use.
	Faults Faults
	// Correct returns the corrections of the server behind the relay for
	// a connection the library is about to be handed; nil, or a nil
	// result, means none.
	Correct func(conn net.Conn) Corrector
	// Busy is the line a client is sent when RefuseConnections refuses it.
	Busy string
	// Opened registers a session before its first event and returns its
	// id; Closed is told when it has ended. Either may be nil.
	Opened func(*Session) wire.SessionID
	Closed func(*Session)
	// Changed is told when a session's Info changes other than by its
	// encryption (an IMAP client said who it is); nil for nobody.
	Changed func()
	// Hold, while someone holds it, pauses the relay (see Hold); nil for
	// never.
	Hold *Hold
}

// A Relay serves one listener role: it accepts clients on the public
// listener and hands the library their connections through Listener.
type Relay struct {
	opts  Options
	proto wire.Proto
	inner *pipeListener
	wg    sync.WaitGroup
	stop  chan struct{} // closed by Close
	once  sync.Once
}

// New returns a relay; Start begins accepting.
func New(opts Options) *Relay {
	if opts.Correct == nil {
		opts.Correct = func(net.Conn) Corrector { return nil }
	}
	return &Relay{opts: opts, proto: opts.Role.Proto(), inner: newPipeListener(opts.Public.Addr()), stop: make(chan struct{})}
}

// Listener is what the server library serves: every connection the relay
// accepts arrives there (wrap it in tls.NewListener for implicit TLS).
func (r *Relay) Listener() net.Listener { return r.inner }

// Addr is the public listener's address.
func (r *Relay) Addr() net.Addr { return r.opts.Public.Addr() }

// Start accepts clients until Close.
func (r *Relay) Start() {
	r.wg.Add(1)
	go r.acceptLoop()
}

// Close closes the public listener and the library's; the sessions go on
// until they end (Session.Finish ends one).
func (r *Relay) Close() {
	r.once.Do(func() { close(r.stop) })
	r.opts.Public.Close()
	r.inner.Close()
}

// Wait returns once the accept loop and every session have ended.
func (r *Relay) Wait() { r.wg.Wait() }

func (r *Relay) acceptLoop() {
	defer r.wg.Done()
	for {
		c, err := r.opts.Public.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// A transient accept error (too many open files): keep
			// serving, a little later.
			select {
			case <-time.After(10 * time.Millisecond):
			case <-r.stop:
				return
			}
			continue
		}
		r.opts.Hold.Wait(r.stop)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.handle(c, "")
		}()
	}
}

// Serve relays one connection that did not come from the public listener
// (the simulator's own relay hop between its servers); label names the
// peer instead of its address. It returns when the session has ended.
func (r *Relay) Serve(c net.Conn, label string) { r.handle(c, label) }

// Session is one relayed connection.
type Session struct {
	relay *Relay
	corr  Corrector // never nil (noCorrections)
	// extender and taker are corr's optional parts, nil when it has none.
	extender Extender
	taker    BodyTaker
	id       wire.SessionID
	role     wire.Role
	proto    wire.Proto
	peer     string // shown to the learner: the address, or a label such as "relay hop from ..."
	addr     string // the real client address ("" for in-process peers); Dial finds its session by it
	split    *wire.Splitter

	mu         sync.Mutex
	cli, srv   net.Conn // current client and server sides (plain or TLS)
	encrypted  bool
	closed     bool
	clientLeft string // why the client left, when it left first (see clientGone)
	opened     time.Time

	verdict   chan bool     // s2c tells c2s how the server answered STARTTLS
	switched  chan net.Conn // c2s hands s2c the new TLS server side
	done      chan struct{} // closed when the session ends
	dropArmed bool          // drop-connection fault: hang up at the next client bytes
	writeMu   sync.Mutex    // one writer at a time towards the client

	// IMAP non-synchronising literals reach go-imap as synchronising ones
	// (see syncLiteral): literalTag is the tag of the command whose line
	// went on and whose literal waits, in backlog, for the library's "+"
	// or its refusal; literalVerdict says it came. Under mu.
	literalTag string
	// literalWaiting is literalTag != "", read without the lock on every
	// server line and every client read.
	literalWaiting atomic.Bool
	literalVerdict chan struct{}
	// backlog holds client bytes read but not yet given to the splitter
	// and the library: what followed a literal's announcement. Only the
	// client-reading goroutine uses it.
	backlog []byte
	// IMAP extension commands (extension.go). ext is the one being
	// gathered (client-reading goroutine only); libConn is the connection
	// the library was handed, by which simulator/imap knows the session;
	// libSync orders the library's steps and the extension's (syncConn).
	// extWaiting and extReady: awaitEarlierAnswers waits, extAnswered
	// wakes it; fwdMu makes a server chunk's tap and its write to the
	// client one step for it. clientID is what the client said it is
	// (IMAP ID), under mu.
	ext        *extCommand
	libConn    net.Conn
	libSync    sync.Mutex
	extWaiting atomic.Bool
	extReady   chan struct{}
	extLibrary []byte // what the library runs in place of the extension command just answered (takeExtLibrary)
	fwdMu      sync.Mutex
	clientID   string

	// Scratch space for the events of one chunk, one per direction (each
	// direction has a single reader or writer at a time).
	fromClientBatch, fromServerBatch eventBatch

	// A client line that arrives in pieces (a slow link, a client that
	// writes a byte at a time) is held back until it ends, so that the
	// relay can answer or rewrite it as it would a line that came whole,
	// and a command line over the limit is not handed on at all (see
	// holdOpenLine). Only the client-reading goroutine uses these.
	lineHeld     []byte // the start of the open line, not yet given to the library
	lineDropping bool   // the open line starts a command and is too long: it is thrown away
	lineDropHead string // and this is how it started (its IMAP tag)
	linePassing  bool   // the open line continues a command and is too long to hold: the library gets it as it comes
}

// handle serves one connection; label, when set, names the peer instead
// of its address (the simulator's own relay hop).
func (r *Relay) handle(client net.Conn, label string) {
	peer, addr := client.RemoteAddr().String(), client.RemoteAddr().String()
	if label != "" {
		peer, addr = label, ""
	}
	s := &Session{
		relay: r, corr: noCorrections{}, role: r.opts.Role, proto: r.proto, peer: peer, addr: addr,
		split: wire.NewSplitter(r.proto), cli: client,
		verdict: make(chan bool, 1), switched: make(chan net.Conn, 1), done: make(chan struct{}),
		literalVerdict: make(chan struct{}, 1), extReady: make(chan struct{}, 1),
		opened: r.opts.Clock.Now(),
	}
	if r.opts.Opened != nil {
		id := r.opts.Opened(s)
		s.mu.Lock() // Info may be called already, from another goroutine
		s.id = id
		s.mu.Unlock()
	}
	if r.opts.Closed != nil {
		defer r.opts.Closed(s)
	}
	s.publish(wire.Event{Dir: wire.Meta, Kind: wire.Open, Data: []byte("connection from " + peer + " to the " + string(r.opts.Role) + " listener")})

	if r.opts.Faults.RefuseConnections() {
		s.refuse()
		return
	}

	if !r.opts.Role.ImplicitTLS() {
		// Plaintext at first: the library reads and writes the client's
		// socket through the tap, with no pipe in between (tapconn.go).
		tc := newTapConn(s, client)
		s.setCorrector(tc)
		if s.taker != nil {
			// The tap reads plain DATA bodies for the library (bodyHold),
			// within the library's own limits.
			tc.body.maxLine, tc.body.maxSize = s.taker.BodyLimits()
		}
		if err := r.inner.hand(tc); err != nil {
			s.finish(err.Error())
			return
		}
		<-s.done
		return
	}

	tc := tls.Server(client, r.opts.TLS)
	if err := tc.Handshake(); err != nil {
		s.publish(wire.Event{Dir: wire.Meta, Kind: wire.TLSFailed, Data: []byte(err.Error()), TLSFailure: wire.TLSFailureOf(err)})
		s.finish("TLS handshake failed")
		return
	}
	s.mu.Lock() // Info reads them from another goroutine
	s.cli = tc
	s.encrypted = true
	s.mu.Unlock()
	s.publish(wire.Event{Dir: wire.Meta, Kind: wire.TLS, Data: []byte(describeTLS(tc.ConnectionState()))})

	near, far, err := r.inner.pipe(client.RemoteAddr(), r.Addr(), s)
	if err != nil {
		s.finish(err.Error())
		return
	}
	s.setCorrector(far)
	if err := r.inner.hand(far); err != nil {
		near.Close()
		far.Close()
		s.finish(err.Error())
		return
	}
	inner := tls.Client(near, r.opts.InnerTLS)
	if err := inner.Handshake(); err != nil {
		s.finish("internal TLS to the server failed: " + err.Error())
		return
	}
	s.mu.Lock()
	s.srv = inner
	s.mu.Unlock()

	go s.serverToClient()
	s.clientToServer()
	<-s.done
}

// setCorrector asks for the corrections of the session whose library
// connection is conn, before the library is handed it.
func (s *Session) setCorrector(conn net.Conn) {
	s.libConn = conn
	c := s.relay.opts.Correct(conn)
	if c == nil {
		return
	}
	s.corr = c
	s.extender, _ = c.(Extender)
	s.taker, _ = c.(BodyTaker)
}

// Info describes a session.
type Info struct {
	ID        wire.SessionID
	Role      wire.Role
	Peer      string // the address, or a label such as "relay hop from ..."
	Addr      string // the real client address, "" for in-process peers
	Encrypted bool
	Opened    time.Time
	// ClientID is what an IMAP client said it is with ID (RFC 2971); ""
	// when it has not said.
	ClientID string
}

// Info describes the session now; safe from any goroutine.
func (s *Session) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Info{ID: s.id, Role: s.role, Peer: s.peer, Addr: s.addr, Encrypted: s.encrypted, Opened: s.opened, ClientID: s.clientID}
}

// ListenerAddr is the address of the public listener the session came to.
func (s *Session) ListenerAddr() string { return s.relay.Addr().String() }

// Finish ends the session, closing both sides, with reason as the Close
// event's text; it does nothing once the session has ended.
func (s *Session) Finish(reason string) { s.finish(reason) }

// refuse answers the too-many-connections fault (Options.Busy) and hangs up.
func (s *Session) refuse() {
	line := s.relay.opts.Busy
	if line != "" {
		s.publish(wire.Event{Dir: wire.FromServer, Kind: wire.Line, Data: []byte(line)})
		s.cli.Write([]byte(line))
	}
	s.finish("refused: too many connections (fault)")
}

func (s *Session) publish(e wire.Event) { s.publishWith(e, false) }

func (s *Session) publishWith(e wire.Event, transient bool) {
	s.stamp(&e, s.relay.opts.Clock.Now(), s.isEncrypted())
	if transient {
		s.relay.opts.Publisher.PublishTransient(e)
	} else {
		s.relay.opts.Publisher.Publish(e)
	}
}

// stamp fills in the session's part of an event.
func (s *Session) stamp(e *wire.Event, now time.Time, encrypted bool) {
	e.Session = s.id
	e.Proto = s.proto
	e.Role = s.role
	e.Peer = s.peer
	e.Time = now
	e.Encrypted = encrypted
}

func (s *Session) isEncrypted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.encrypted
}

// publishPiece publishes a piece whose bytes may point into the relay's
// read buffer (reused by the next read): the hub copies them only for a
// subscriber that keeps the event.
func (s *Session) publishPiece(p wire.Piece) {
	if !s.relay.opts.Publisher.Active() {
		return // nobody is listening (serve --quiet): no event to build
	}
	s.publishWith(p.Event(), true)
}

// eventBatch gathers the events of one chunk of bytes, which arrived at the
// same instant: they are stamped and published together, one clock reading
// and one hand-over to the hub per chunk rather than per line (a 2 KB
// message is some thirty lines).
type eventBatch struct {
	events []wire.Event
}

func (b *eventBatch) add(e wire.Event) { b.events = append(b.events, e) }

// addReply adds the relay's own reply, one event per line, as the
// server's own replies are.
func (b *eventBatch) addReply(reply string) {
	for rest := []byte(reply); len(rest) > 0; {
		var line []byte
		line, rest = wire.CutLine(rest)
		b.add(wire.Event{Dir: wire.FromServer, Kind: wire.Line, Data: line})
	}
}

// publish hands the gathered events to the hub and empties the batch; their
// bytes may point into the caller's buffer, and are copied by the hub.
func (b *eventBatch) publish(s *Session) {
	if len(b.events) == 0 {
		return
	}
	now, encrypted := s.relay.opts.Clock.Now(), s.isEncrypted()
	for i := range b.events {
		s.stamp(&b.events[i], now, encrypted)
	}
	s.relay.opts.Publisher.PublishTransientBatch(b.events)
	clear(b.events) // let the bytes go
	b.events = b.events[:0]
}

func (s *Session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// finish closes both sides once and publishes the Close event.
func (s *Session) finish(reason string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	cli, srv := s.cli, s.srv
	s.mu.Unlock()
	cli.Close()
	if srv != nil {
		srv.Close()
	}
	s.split.Flush(wire.FromClient, s.publishPiece)
	s.split.Flush(wire.FromServer, s.publishPiece)
	s.publish(wire.Event{Dir: wire.Meta, Kind: wire.Close, Data: []byte(reason)})
	close(s.done)
}

func (s *Session) clientToServer() {
	buf := make([]byte, 32*1024)
	for {
		s.mu.Lock()
		cli, srv := s.cli, s.srv
		s.mu.Unlock()
		n, err := s.readClient(cli, buf)
		if n > 0 {
			s.relay.opts.Hold.Wait(s.done)
			if s.dropDue() {
				return
			}
			forward, startTLS := s.fromClient(buf[:n])
			if len(forward) > 0 {
				if _, werr := srv.Write(forward); werr != nil {
					s.finish("the server closed the connection")
					return
				}
			}
			if startTLS && !s.awaitStartTLS() {
				return
			}
			if !s.awaitLiteralVerdict() || !s.serveExtension(true) {
				return
			}
			if lib := s.takeExtLibrary(); lib != nil {
				if _, werr := srv.Write(lib); werr != nil {
					s.finish("the server closed the connection")
					return
				}
			}
			continue
		}
		if err != nil {
			s.clientGone(err)
			return
		}
	}
}

// dropDue reports whether the drop-connection fault is armed, and if so
// hangs up: the client's next bytes find the connection gone.
func (s *Session) dropDue() bool {
	s.mu.Lock()
	drop := s.dropArmed
	s.mu.Unlock()
	if drop {
		s.finish("the server dropped the connection (fault drop-connection)")
	}
	return drop
}

// serverLastWord is how long a session whose client hung up waits for the
// server library to notice and close its side (see clientGone).
const serverLastWord = time.Second

// clientGone ends the session after a failed read from the client.
//
// When the client hung up while the relay stands between it and the library
// (TLS), the hang-up is passed on as a half-close, and the session ends
// when the library closes its side: what the server wrote before it noticed
// is tapped before the close, in the order it happened. Python's imaplib,
// for one, hangs up on LOGOUT's "* BYE" without waiting for the tagged OK
// that follows it (and its kernel answers that OK with a reset).
func (s *Session) clientGone(err error) {
	reason := "the client closed the connection"
	if !errors.Is(err, io.EOF) {
		reason = "connection ended: " + err.Error()
	}
	s.mu.Lock()
	s.clientLeft = reason
	srv := s.srv
	s.mu.Unlock()
	if srv != nil {
		if tc, ok := srv.(*tls.Conn); ok {
			// Beneath the library's TLS, as a socket would show it, not
			// as a close_notify: a TLS end looks like a clean end of
			// stream, and go-smtp would take a BDAT chunk cut by the
			// hang-up as complete (smtp's endConn watches the socket).
			srv = tc.NetConn()
		}
		if cw, ok := srv.(interface{ CloseWrite() error }); ok {
			// An error means the server has closed its side already;
			// its last bytes may still wait in the pipe all the same.
			cw.CloseWrite()
		}
		select {
		case <-s.done: // serverToClient read the server's close
			return
		case <-time.After(serverLastWord):
		}
	}
	s.finish(reason)
}

// clientHungUp returns why the client left, or "" while it is there.
func (s *Session) clientHungUp() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clientLeft
}

// fromClient taps one chunk read from the client. It returns the part of
// the chunk the server should get, compacted in place: lines the relay
// answered itself are taken out, and after a STARTTLS (or STLS) line the
// rest is thrown away, in which case startTLS is true and the server's
// answer decides what happens next.
func (s *Session) fromClient(chunk []byte) (forward []byte, startTLS bool) {
	held := len(s.lineHeld) // bytes before chunk that the library has not had yet
	limit := s.corr.LineLimit()
	cut := -1
	tapped := s.relay.opts.Publisher.Active()
	batch := &s.fromClientBatch
	// An extension command's literals are gathered whole (extension.go).
	s.split.Skim(!tapped && s.ext == nil)
	extFrom := -1 // where an extension command's bytes start, in lineHeld+chunk
	if s.ext != nil {
		extFrom = 0
	}
	var edits []edit     // lines the relay answered itself or rewrote, at offsets in lineHeld+chunk
	var replies []string // the relay's own answers, sent once the batch is published
	pause := -1          // where the chunk stops for a literal's verdict (syncLiteral)
	hangUp := ""         // why the session ends after the replies (a refusal that hangs up)
	s.split.Client(chunk, func(p wire.Piece) {
		if tapped {
			batch.add(p.Event())
		}
		if s.ext != nil {
			// More of an extension command: the relay answers it.
			if s.extTake(p) {
				pause = p.End
				s.split.Pause()
			}
			return
		}
		if p.Dropped {
			// Bytes of a refused command: the server must never read them.
			if start := held + p.End - len(p.Data); start >= 0 && !(p.Kind == wire.Line && s.linePassing) {
				edits = append(edits, edit{start: start, end: held + p.End})
			}
			s.linePassing = false
			return
		}
		if p.Kind != wire.Line || !bytes.HasSuffix(p.Data, []byte("\n")) {
			return // a payload, or a piece of a line too long to keep whole
		}
		start, end := held+p.End-len(p.Data), held+p.End
		if s.linePassing {
			s.linePassing = false // it ends here; its start went on already
			start = -1
		}
		reply, refuseHangs := "", false
		var line []byte // what the library gets instead of the line (Corrector.Command)
		switch {
		case s.lineDropping:
			// The end of a command line too long to hand on; none of it
			// went on, and what came before this chunk is gone.
			s.lineDropping = false
			start = 0
			reply = s.corr.TooLong(s.lineDropHead)
		case start < 0:
			// Part of the line went on already (POP3 lines are not held,
			// nor is a continuation too long to hold): nothing to do.
		case limit > 0 && len(p.Data) > limit && !p.Continues:
			reply = s.corr.TooLong(string(p.Data[:min(len(p.Data), 64)]))
		default:
			reply, refuseHangs, line = s.corr.Command(p)
		}
		if reply != "" {
			edits = append(edits, edit{start: start, end: end})
			replies = append(replies, reply)
			if refuseHangs {
				batch.addReply(reply)
				hangUp = "the server refused a malformed " + p.Verb + " and closed the connection"
				s.split.Pause()
				return
			}
			// The reply's events carry the model's facts, as the server's do.
			s.split.AnswerHere([]byte(reply), func(r wire.Piece) { batch.add(r.Event()) })
			return
		}
		if start >= 0 && s.extStarts(p) {
			extFrom = start
			if s.extTake(p) {
				pause = p.End
				s.split.Pause()
			}
			return
		}
		if p.Literal == wire.NonSyncLiteral && start >= 0 {
			// The library gets the literal as a synchronising one, and the
			// client's bytes after this line wait for its answer.
			if line == nil {
				line = p.Data
			}
			line = syncLiteral(line)
			s.mu.Lock()
			s.literalTag = p.Tag
			s.literalWaiting.Store(true)
			s.mu.Unlock()
			pause = p.End
			s.split.Pause()
		}
		if line != nil && start >= 0 {
			edits = append(edits, edit{start: start, end: end, with: line})
		}
		switch p.Verb {
		case "STARTTLS", "STLS":
			// What follows waits for the server's answer (discardBacklog).
			cut = p.End
			s.split.Pause()
		}
	})
	batch.publish(s)
	for _, reply := range replies {
		s.writeClient([]byte(reply))
	}
	if hangUp != "" {
		s.finish(hangUp)
		return nil, false
	}
	if cut >= 0 {
		pause = cut
	}
	if pause >= 0 {
		// What follows the literal's announcement is read again once the
		// library has answered it (readClient).
		// (Before what an earlier pause left: a chunk may be part of it.)
		s.backlog = append(append([]byte(nil), chunk[pause:]...), s.backlog...)
		chunk = chunk[:pause]
	}
	owned := held > 0 // chunk is the relay's own buffer, not the caller's read buffer
	if held > 0 {
		chunk = append(s.lineHeld, chunk...)
		s.lineHeld = nil
	}
	if extFrom >= 0 {
		// The extension command's bytes never reach the library; they
		// run to the end of what is handed on (the pause is at its end).
		edits = append(edits, edit{start: extFrom, end: len(chunk)})
	}
	if len(edits) > 0 {
		edited := applyEdits(chunk, edits)
		owned = owned || len(edited) > 0 && len(chunk) > 0 && &edited[0] != &chunk[0]
		chunk = edited
	}
	if s.ext != nil {
		return chunk, false // an open line of it is gathered by the splitter, not held
	}
	return s.holdOpenLine(chunk, limit, owned), cut >= 0
}

// holdOpenLine keeps back the start of a client line that has not ended
// yet, and returns the rest of chunk for the library. Edits never touch
// the open line: it is not a line yet. owned tells that chunk is not the
// caller's read buffer, so a line that grows read by read (a client that
// sends a byte at a time) is kept without copying it again each time.
//
// A line over the limit is always seen open before it ends: a read is at
// most 32 KB (the relay's buffer, or the library's, which is smaller),
// and the splitter cuts only lines longer than wire.MaxLine.
func (s *Session) holdOpenLine(chunk []byte, limit int, owned bool) []byte {
	if limit == 0 {
		return chunk
	}
	switch {
	case s.lineDropping:
		return chunk[:0] // all of chunk is more of the line being thrown away
	case s.linePassing:
		return chunk
	}
	open, continues := s.split.OpenLine(wire.FromClient)
	if open == 0 {
		return chunk
	}
	keep := len(chunk) - open // the open line is all in chunk: its start was held
	switch {
	case open <= limit && owned && keep == 0:
		s.lineHeld = chunk // all of it is the open line, already in the relay's buffer
	case open <= limit:
		s.lineHeld = append([]byte(nil), chunk[keep:]...)
	case continues:
		// The rest of a command the library has begun to read: it must
		// have it, and answers a line too long itself.
		s.linePassing = true
		return chunk
	default:
		s.lineDropping = true
		s.lineDropHead = string(chunk[keep : keep+min(open, 64)])
	}
	return chunk[:keep]
}

// handshakes answers the client's TLS handshake after an agreed STARTTLS,
// then opens the relay's own TLS towards the server library. It returns the
// relay's TLS side towards the library, or false when the session ended.
func (s *Session) handshakes() (net.Conn, bool) {
	s.mu.Lock()
	cli, srv := s.cli, s.srv
	s.mu.Unlock()
	tlsCli := tls.Server(cli, s.relay.opts.TLS)
	if err := tlsCli.Handshake(); err != nil {
		s.publish(wire.Event{Dir: wire.Meta, Kind: wire.TLSFailed, Data: []byte(err.Error()), TLSFailure: wire.TLSFailureOf(err)})
		s.finish("TLS handshake with the client failed")
		return nil, false
	}
	tlsSrv := tls.Client(srv, s.relay.opts.InnerTLS)
	if err := tlsSrv.Handshake(); err != nil {
		s.finish("internal TLS to the server failed: " + err.Error())
		return nil, false
	}
	s.mu.Lock()
	s.cli, s.srv, s.encrypted = tlsCli, tlsSrv, true
	s.mu.Unlock()
	s.split.Reset(wire.FromServer)
	s.publish(wire.Event{Dir: wire.Meta, Kind: wire.TLS, Data: []byte(describeTLS(tlsCli.ConnectionState()))})
	return tlsSrv, true
}

// awaitStartTLS waits for the server's answer to STARTTLS and, when it
// agrees, performs both handshakes. It returns false when the session ended.
func (s *Session) awaitStartTLS() bool {
	var ok bool
	select {
	case ok = <-s.verdict:
	case <-s.done:
		return false
	}
	if !ok {
		return true
	}
	s.discardBacklog()
	tlsSrv, ok := s.handshakes()
	if !ok {
		return false
	}
	s.switched <- tlsSrv
	return true
}

func (s *Session) serverToClient() {
	buf := make([]byte, 32*1024)
	var out []byte
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	for {
		n, err := srv.Read(buf)
		if n > 0 {
			s.fwdMu.Lock()
			send, startTLS, _, werr := s.fromServer(buf[:n], &out)
			if werr == nil && len(send) > 0 {
				werr = s.writeClient(send)
			}
			s.fwdMu.Unlock()
			s.extAnswered()
			if werr != nil {
				s.finish("the client closed the connection")
				return
			}
			if startTLS != 0 {
				s.verdict <- startTLS > 0
				if startTLS > 0 {
					select {
					case srv = <-s.switched:
					case <-s.done:
						return
					}
				}
			}
		}
		if err != nil {
			if reason := s.clientHungUp(); reason != "" {
				s.finish(reason)
				return
			}
			s.byeIfSilent()
			s.finish("the server closed the connection")
			return
		}
	}
}

// fromServer taps one chunk the server wrote. It returns the bytes to send
// on to the client (the chunk itself, with the corrector's corrections, or
// out, rebuilt line by line; nil when the slow fault already sent them
// line by line), and:
//   - startTLS: 1 when the chunk holds the server's agreement to STARTTLS,
//     -1 for a refusal, 0 otherwise;
//   - more: the chunk ends in the middle of an IMAP command's answer (a
//     FETCH response before its tagged OK), so the caller may hold the
//     bytes and send them with the rest in one write.
//
// out is a scratch buffer kept by the caller between chunks.
func (s *Session) fromServer(chunk []byte, out *[]byte) (send []byte, startTLS int, more bool, err error) {
	pace := s.relay.opts.Faults.Pace()
	slow := pace > 0
	// Where the corrector wants whole lines, and where the slow fault
	// paces them, lines are forwarded piece by piece; otherwise the bytes
	// go out exactly as written, with the corrections as edits.
	rebuild := slow || s.corr.WholeLines()
	tapped := s.relay.opts.Publisher.Active()
	batch := &s.fromServerBatch
	// Nobody reads the lines of a message body when nobody listens: skip them.
	s.split.Skim(!tapped && !slow)
	// IMAP: whether the last piece ends a command's answer or asks the
	// client for more (see more below).
	ends := false
	var edits []edit       // lines corrected in chunk
	var paced []wire.Piece // the lines the slow fault sends one by one
	*out = (*out)[:0]
	s.split.Server(chunk, func(p wire.Piece) {
		if err != nil {
			return
		}
		whole := p.End >= len(p.Data) // the line is all in chunk (before any correction below)
		if p.Kind == wire.Line {
			if fixed, ok := s.corr.Reply(p); fixed != nil {
				if rebuild {
					p.Data, p.OK = fixed, ok
				} else if e, can := correction(p, fixed); can {
					edits = append(edits, e)
					p.Data, p.OK = fixed, ok
				}
				if len(p.Data) == 0 {
					return // left out: nobody sees it, not the client, not the tap
				}
			}
		}
		if s.proto == wire.IMAP && p.Kind == wire.Line && whole && s.literalAnswered(p) {
			// The go-ahead for a literal the client sent without waiting:
			// the client never asked for it.
			edits = append(edits, edit{start: p.End - len(p.Data), end: p.End})
			ends = true
			return
		}
		if slow {
			// Paced once the splitter has done with the chunk (it holds
			// its lock while it hands out pieces).
			p.Data = append([]byte(nil), p.Data...)
			paced = append(paced, p)
			return
		}
		if tapped {
			batch.add(p.Event())
		}
		// Before the client can read the reply and answer it: the
		// drop-connection fault must be armed by then.
		if p.Answers != "" {
			startTLS = s.afterReply(p, startTLS)
		}
		if s.proto == wire.IMAP {
			ends = p.Answers != "" || (p.Kind == wire.Line && (p.Data[0] == '+' || bytes.Contains(p.Data, []byte("BYE"))))
		}
		if rebuild {
			*out = append(*out, p.Data...)
		}
	})
	// The events exist before the client can read the bytes and answer.
	batch.publish(s)
	for _, p := range paced {
		// Each line when it goes out, a pace apart; no longer once the
		// session has ended.
		if !s.wait(pace) {
			err = net.ErrClosed
			break
		}
		s.publishPiece(p)
		if p.Answers != "" {
			startTLS = s.afterReply(p, startTLS)
		}
		if err = s.writeClient(p.Data); err != nil {
			break
		}
	}
	switch {
	case err != nil || slow:
		return nil, startTLS, false, err
	case rebuild:
		send = *out
	case len(edits) > 0:
		send = applyEdits(chunk, edits)
	default:
		send = chunk
	}
	more = s.proto == wire.IMAP && !ends && startTLS == 0 && s.split.OwesTaggedReply()
	return send, startTLS, more, nil
}

// wait waits d, or less when the session ends first (false).
func (s *Session) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

// correction is the edit of a chunk that turns a server line, which ends
// in the chunk at p.End, into fixed: the bytes between their common start
// and their common end. It cannot be made (false) when those bytes began in
// an earlier chunk, which has gone out already.
func correction(p wire.Piece, fixed []byte) (edit, bool) {
	old := p.Data
	pre := 0
	for pre < len(old) && pre < len(fixed) && old[pre] == fixed[pre] {
		pre++
	}
	suf := 0
	for suf < len(old)-pre && suf < len(fixed)-pre && old[len(old)-1-suf] == fixed[len(fixed)-1-suf] {
		suf++
	}
	base := p.End - len(old) // where the line starts in the chunk (< 0: in an earlier one)
	if base+pre < 0 {
		return edit{}, false
	}
	e := edit{start: base + pre, end: base + len(old) - suf}
	if with := fixed[pre : len(fixed)-suf]; len(with) > 0 {
		e.with = with
	}
	return e, true
}

// afterReply reacts to a completed reply: STARTTLS verdicts and the
// drop-connection fault's trigger points.
func (s *Session) afterReply(p wire.Piece, startTLS int) int {
	switch p.Answers {
	case "STARTTLS", "STLS":
		if p.OK {
			return 1
		}
		return -1
	}
	if s.relay.opts.Faults.DropAfter(p) {
		s.mu.Lock()
		s.dropArmed = true
		s.mu.Unlock()
	}
	return startTLS
}

// writeClient sends bytes to the client; the relay's two directions both
// write (server lines, and the relay's own answers to malformed lines).
func (s *Session) writeClient(b []byte) error {
	s.relay.opts.Hold.Wait(s.done)
	s.mu.Lock()
	cli := s.cli
	s.mu.Unlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := cli.Write(b)
	return err
}

// edit replaces bytes start:end of a chunk from the client with "with"
// (nothing: the relay answered that line itself).
type edit struct {
	start, end int
	with       []byte
}

// applyEdits returns the chunk with its edits (ascending, disjoint) made:
// in place when they only remove bytes, in a new buffer when a line was
// rewritten (it may grow).
func applyEdits(b []byte, edits []edit) []byte {
	grow := false
	for _, e := range edits {
		grow = grow || e.with != nil
	}
	if !grow {
		n, last := 0, 0
		for _, e := range edits {
			n += copy(b[n:], b[last:e.start])
			last = e.end
		}
		n += copy(b[n:], b[last:])
		return b[:n]
	}
	var out []byte
	last := 0
	for _, e := range edits {
		out = append(append(out, b[last:e.start]...), e.with...)
		last = e.end
	}
	return append(out, b[last:]...)
}

// Non-synchronising literals. A client may send a literal's bytes right
// behind its announcement, "{N+}" (RFC 7888). go-imap reads them as the
// literal when it takes the command, but when it refuses the command first
// (a literal over 4 KB, an argument it cannot parse before the literal) it
// throws away only the rest of the line, and reads the literal's bytes as
// commands: text a client was told to search for, or a message it appends,
// would run. So the relay hands go-imap every literal as a synchronising
// one, "{N}", holds the bytes that follow until go-imap answers, swallows
// its "+" (the client did not ask for one), and on a refusal drops the
// literal and the rest of the command (the splitter marks them Dropped).

// syncLiteral returns a command line with its trailing "{N+}" or "{N-}"
// written "{N}".
func syncLiteral(line []byte) []byte {
	text := wire.TrimEOL(line)
	if len(text) < 3 || (text[len(text)-2] != '+' && text[len(text)-2] != '-') {
		return line
	}
	out := make([]byte, 0, len(line))
	out = append(out, text[:len(text)-2]...)
	out = append(out, '}')
	return append(out, line[len(text):]...)
}

// literalAnswered reports whether a server line is the go-ahead for a
// literal the relay made synchronising, and lets the client's bytes go on
// once the library has answered that literal, either way.
func (s *Session) literalAnswered(p wire.Piece) bool {
	if !s.literalWaiting.Load() {
		return false
	}
	s.mu.Lock()
	tag := s.literalTag
	s.mu.Unlock()
	goAhead := p.Data[0] == '+'
	if !goAhead && (p.Answers == "" || p.Tag != tag) {
		return false
	}
	s.mu.Lock()
	s.literalTag = ""
	s.literalWaiting.Store(false)
	s.mu.Unlock()
	s.literalVerdict <- struct{}{}
	return goAhead
}

// awaitLiteralVerdict waits, when a literal's bytes are held, until the
// library has answered the line that announced it. It returns false when
// the session ended meanwhile.
func (s *Session) awaitLiteralVerdict() bool {
	if !s.literalWaiting.Load() && len(s.literalVerdict) == 0 {
		return true
	}
	select {
	case <-s.literalVerdict:
		return true
	case <-s.done:
		return false
	}
}

// readClient reads the client's next bytes: those held back after a
// literal's announcement first, then the connection's.
func (s *Session) readClient(cli net.Conn, buf []byte) (int, error) {
	if len(s.backlog) > 0 {
		n := copy(buf, s.backlog)
		s.backlog = s.backlog[n:]
		return n, nil
	}
	return cli.Read(buf)
}

// discardBacklog throws away what the client sent right behind a STARTTLS
// (or STLS) line that the server has agreed to. RFC 3207 §5: nothing may
// follow STARTTLS in the same flight; bytes that do are an injection
// attempt (CVE-2011-0411) and must not be smuggled into the encrypted
// session. When the server refuses, the bytes are ordinary pipelined
// commands and readClient hands them on.
func (s *Session) discardBacklog() {
	if len(s.backlog) > 0 {
		s.publish(wire.Event{Dir: wire.Meta, Kind: wire.Discarded, N: len(s.backlog), Data: s.backlog})
	}
	s.backlog = nil
	s.split.Reset(wire.FromClient)
}

// byeIfSilent tells the client why the server is hanging up, when the
// library closed the connection without a word (Corrector.Farewell).
func (s *Session) byeIfSilent() {
	if s.isClosed() {
		return
	}
	if bye := s.corr.Farewell(); bye != "" {
		s.publish(wire.Event{Dir: wire.FromServer, Kind: wire.Line, Data: []byte(bye)})
		s.writeClient([]byte(bye))
	}
}

// describeTLS names a TLS connection's version and cipher suite, for the
// TLS event.
func describeTLS(st tls.ConnectionState) string {
	return tls.VersionName(st.Version) + ", " + tls.CipherSuiteName(st.CipherSuite)
}
