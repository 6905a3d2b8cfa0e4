package tap

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// tapConn is what a server library is handed for a connection that starts
// in plaintext: the client's own socket, with the tap in its Read and
// Write. Each byte crosses the kernel once, as it would without mailtutor,
// instead of twice through the relay's in-memory pipe.
//
// TLS is the exception. When the server agrees to STARTTLS, the library
// wraps this connection in its own TLS; from then on Read and Write go to
// an in-memory pipe, and the relay (which answers the client's handshake so
// that the tap keeps seeing plaintext) carries the session to its end.
type tapConn struct {
	net.Conn // the client's socket
	s        *Session

	mu       sync.Mutex // guards inner
	inner    net.Conn   // after STARTTLS: the library's end of the pipe to the relay
	verdict  chan bool  // Write tells Read how the server answered STARTTLS
	awaiting bool       // Read passed on a STARTTLS line and waits for the answer
	out      []byte     // Write's scratch buffer for rewritten SMTP lines

	deadlineMu sync.Mutex // guards the deadlines below (see SetDeadline)
	readSet    time.Time  // the read deadline the socket has
	writeSet   time.Time  // the write deadline the socket has
	writeWant  time.Time  // the write deadline the library asked for

	// An SMTP DATA body read on the library's behalf (bodyHold) and handed
	// to the session's BodyTaker; only the library's reading goroutine
	// uses body.
	body       bodyHold
	pending    []byte // bytes the library gets before the socket is read again
	pendingErr error  // the error it gets after them

	heldMu    sync.Mutex  // guards held and holdTimer; held bytes go out in order
	held      []byte      // the start of an answer, waiting for the rest (sendLocked)
	holding   atomic.Bool // held is not empty: Read checks it without waiting for heldMu
	holdTimer *time.Timer // sends held bytes that waited too long
}

func newTapConn(s *Session, client net.Conn) *tapConn {
	return &tapConn{Conn: client, s: s, verdict: make(chan bool, 1)}
}

// upgraded returns the pipe towards the relay once STARTTLS has been
// agreed, nil before.
func (t *tapConn) upgraded() net.Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.inner
}

func (t *tapConn) Read(p []byte) (int, error) {
	if t.awaiting {
		// The library read the STARTTLS line and must answer it before it
		// reads again; the answer decides where the next bytes come from.
		t.awaiting = false
		select {
		case ok := <-t.verdict:
			if ok {
				t.s.discardBacklog()
			}
		case <-t.s.done:
			return 0, net.ErrClosed
		}
	}
	if c := t.upgraded(); c != nil {
		return c.Read(p)
	}
	if t.holding.Load() {
		t.flushHeld() // the library waits for the client: everything it wrote goes out
	}
	if len(t.pending) > 0 || t.pendingErr != nil {
		return t.readPending(p)
	}
	for {
		if t.s.isClosed() {
			// Whatever the socket says after the session ended (an
			// in-process pipe says io.ErrClosedPipe), the library hears
			// the usual net.ErrClosed and goes quietly.
			return 0, net.ErrClosed
		}
		// The library has answered a literal's announcement by now (it
		// writes before it reads again): the bytes held after it go on.
		if !t.s.awaitLiteralVerdict() {
			return 0, net.ErrClosed
		}
		// An extension command waiting for its answer (extension.go):
		// go-imap, which reads here, has answered every command before it.
		if !t.s.serveExtension(false) {
			return 0, net.ErrClosed
		}
		if lib := t.s.takeExtLibrary(); lib != nil {
			// The library runs these bytes in the command's place.
			k := copy(p, lib)
			t.pending = lib[k:]
			return k, nil
		}
		n, err := t.s.readClient(t.Conn, p)
		if n > 0 {
			t.s.relay.opts.Hold.Wait(t.s.done)
			if t.s.dropDue() {
				return 0, net.ErrClosed
			}
			bodyStarts := t.body.maxLine > 0 && !t.body.active && t.s.split.BodyStartsNext()
			forward, startTLS := t.s.fromClient(p[:n])
			t.awaiting = startTLS
			if bodyStarts || t.body.active {
				forward = t.holdBody(p, forward, bodyStarts)
			}
			if len(forward) > 0 && &forward[0] != &p[0] {
				// The relay rewrote a line (Corrector.Command), in a buffer of
				// its own that may be longer than p: what does not fit
				// comes with the next read.
				k := copy(p, forward)
				t.pending = forward[k:]
				return k, nil
			}
			if len(forward) > 0 || startTLS {
				return len(forward), nil
			}
			// Nothing for the library yet (the relay answered every byte
			// itself, or the bytes are a body being held): read on.
		}
		if err != nil {
			err = t.readFailed(err)
			if t.body.active {
				// The body ends early: the library gets what came, then the error.
				t.pending, _ = t.body.fallBack()
				t.pendingErr = err
				return t.readPending(p)
			}
			return 0, err
		}
	}
}

// readFailed decides what the library hears when the socket read fails.
func (t *tapConn) readFailed(err error) error {
	if t.s.isClosed() {
		return net.ErrClosed
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		// A deadline the library set is its own business (an idle
		// timeout it answers itself); anything else ends the session.
		t.s.clientGone(err)
	}
	return err
}

// holdBody passes the bytes forward of a DATA body through t.body (see
// bodyHold) and returns what the library gets now, in p.
func (t *tapConn) holdBody(p, forward []byte, starts bool) []byte {
	if starts {
		t.body.start()
		t.s.taker.TakeBody(nil) // none left over from an earlier body
	}
	rest, verdict := t.body.add(forward)
	switch verdict {
	case holdDone:
		// The taker has the body before the library reads the ".\r\n"
		// that ends it.
		body, _ := t.body.take()
		t.s.taker.TakeBody(body)
		// rest is no longer than forward: the body it replaces is at least
		// as long as the ".\r\n" the library gets instead.
		return p[:copy(p, rest)]
	case holdFallBack:
		k := copy(p, rest)
		t.pending = rest[k:]
		return p[:k]
	}
	return nil // the body goes on
}

// readPending gives the library bytes held back for it, then the error
// that came after them.
func (t *tapConn) readPending(p []byte) (int, error) {
	if len(t.pending) > 0 {
		n := copy(p, t.pending)
		t.pending = t.pending[n:]
		return n, nil
	}
	err := t.pendingErr
	t.pending, t.pendingErr = nil, nil
	return 0, err
}

func (t *tapConn) Write(p []byte) (int, error) {
	t.s.relay.opts.Hold.Wait(t.s.done)
	if c := t.upgraded(); c != nil {
		return c.Write(p)
	}
	if t.s.isClosed() {
		return 0, net.ErrClosed // not tapped: the client will never see it
	}
	t.syncWriteDeadline()
	t.heldMu.Lock()
	send, startTLS, more, err := t.s.fromServer(p, &t.out)
	if err == nil {
		err = t.sendLocked(send, more)
	}
	t.heldMu.Unlock()
	if err != nil {
		t.s.finish("the client closed the connection")
		return 0, err
	}
	if startTLS > 0 {
		if err := t.upgrade(); err != nil {
			t.s.finish("could not start TLS: " + err.Error())
			return 0, err
		}
	}
	if startTLS != 0 {
		select {
		case t.verdict <- startTLS > 0:
		default: // a second answer without a second STARTTLS: nobody waits
		}
	}
	return len(p), nil
}

// Holding back the start of an answer: go-imap flushes a FETCH response
// and its tagged OK separately, two system calls where one will do. The
// bytes wait, at most holdFor and holdMax, for the rest of the answer.
const (
	holdFor = time.Millisecond
	holdMax = 64 * 1024
)

// sendLocked writes b to the client, or holds it when more of the same
// answer is coming; held bytes go out first, in the same write.
func (t *tapConn) sendLocked(b []byte, more bool) error {
	if more && len(t.held)+len(b) < holdMax {
		t.held = append(t.held, b...)
		t.holding.Store(true)
		if t.holdTimer == nil {
			t.holdTimer = time.AfterFunc(holdFor, t.flushHeld)
		} else {
			t.holdTimer.Reset(holdFor)
		}
		return nil
	}
	if len(t.held) > 0 {
		b = append(t.held, b...)
		t.held = b[:0]
		t.holding.Store(false)
		if t.holdTimer != nil {
			t.holdTimer.Stop()
		}
	}
	if len(b) == 0 {
		return nil
	}
	return t.s.writeClient(b)
}

// flushHeld sends what is held: the library is about to wait for the
// client, or the rest of the answer is late.
func (t *tapConn) flushHeld() {
	t.heldMu.Lock()
	defer t.heldMu.Unlock()
	if len(t.held) > 0 {
		if err := t.sendLocked(nil, false); err != nil {
			t.s.finish("the client closed the connection")
		}
	}
}

// upgrade runs once the server has agreed to STARTTLS: the library's next
// bytes are its TLS handshake, and they go through an in-memory pipe to the
// relay, which answers the client's handshake itself and carries the
// session from there on.
func (t *tapConn) upgrade() error {
	near, far, err := socketPair()
	if err != nil {
		return err
	}
	s := t.s
	t.mu.Lock()
	t.inner = &addrConn{Conn: near, local: t.Conn.LocalAddr(), remote: t.Conn.RemoteAddr(), sync: &s.libSync}
	t.mu.Unlock()
	s.mu.Lock()
	s.srv = far
	s.mu.Unlock()
	s.relay.wg.Add(1)
	go func() {
		defer s.relay.wg.Done()
		if _, ok := s.handshakes(); !ok {
			return
		}
		go s.serverToClient()
		s.clientToServer()
	}()
	return nil
}

func (t *tapConn) Close() error {
	t.flushHeld()
	if c := t.upgraded(); c != nil {
		// The relay still has to forward what the library wrote last (the
		// answer to QUIT); it ends the session when it reads the close.
		return c.Close()
	}
	t.s.byeIfSilent()
	t.s.finish("the server closed the connection")
	return nil
}

// Deadlines. go-imap sets a write deadline before every response and
// clears it after, and a read deadline before every command: a timer update
// in the runtime each time. The socket's deadline is moved only when it
// matters: a deadline that moves later by less than 1/64 of the time left
// is left where it was (it may fire that much early), a write deadline is
// brought up to date just before the next write, and a deadline that moves
// earlier (a shutdown interrupting a blocked read) applies at once.

func (t *tapConn) SetDeadline(d time.Time) error {
	if c := t.upgraded(); c != nil {
		return c.SetDeadline(d)
	}
	if err := t.SetReadDeadline(d); err != nil {
		return err
	}
	return t.SetWriteDeadline(d)
}

func (t *tapConn) SetReadDeadline(d time.Time) error {
	if c := t.upgraded(); c != nil {
		return c.SetReadDeadline(d)
	}
	t.deadlineMu.Lock()
	defer t.deadlineMu.Unlock()
	if !deadlineMatters(d, t.readSet, time.Now()) {
		return nil
	}
	t.readSet = d
	return t.Conn.SetReadDeadline(d)
}

func (t *tapConn) SetWriteDeadline(d time.Time) error {
	if c := t.upgraded(); c != nil {
		return c.SetWriteDeadline(d)
	}
	t.deadlineMu.Lock()
	defer t.deadlineMu.Unlock()
	t.writeWant = d
	if !d.IsZero() && !t.writeSet.IsZero() && d.Before(t.writeSet) {
		// Earlier than the socket's: a write already blocked must obey it.
		t.writeSet = d
		return t.Conn.SetWriteDeadline(d)
	}
	return nil
}

// syncWriteDeadline gives the socket the write deadline the library last
// asked for, if it matters, before bytes are written.
func (t *tapConn) syncWriteDeadline() {
	t.deadlineMu.Lock()
	defer t.deadlineMu.Unlock()
	if t.writeWant.Equal(t.writeSet) {
		return // the usual case, without asking the clock
	}
	if deadlineMatters(t.writeWant, t.writeSet, time.Now()) {
		t.writeSet = t.writeWant
		t.Conn.SetWriteDeadline(t.writeWant)
	}
}

// deadlineMatters reports whether a socket whose deadline is set must be
// given want: always, unless want is later than set by less than 1/64 of
// the time left until want.
func deadlineMatters(want, set, now time.Time) bool {
	switch {
	case want.Equal(set):
		return false
	case want.IsZero() || set.IsZero() || want.Before(set):
		return true
	}
	return want.Sub(set) > want.Sub(now)/64
}
