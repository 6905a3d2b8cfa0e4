package simulator

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Conn is a connection made by the simulator's own client (the TUI, the
// lesson player). It reads what the server sends and throws it away by
// itself: what the server said is read from the wire events, the one source
// of truth, so callers only write.
type Conn struct {
	role    wire.Role
	session wire.SessionID
	pool    *tls.Config
	split   *wire.Splitter // follows the dialogue to spot the STARTTLS go-ahead

	mu        sync.Mutex
	conn      net.Conn
	encrypted bool
	goAhead   chan bool     // the drainer reports the server's answer to STARTTLS
	resume    chan net.Conn // StartTLS gives the drainer the connection to read next
	done      chan struct{}
	closeOnce sync.Once
}

// Dial opens a client connection to a role's listener. For implicit-TLS roles
// the TLS handshake is done before Dial returns.
func (s *Simulator) Dial(role wire.Role) (*Conn, error) {
	addr := s.Addr(role)
	if addr == "" {
		return nil, fmt.Errorf("the %s listener is not running", role)
	}
	mark := s.dialMark()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	id, err := s.sessionFor(dialKey(raw.LocalAddr().String(), raw.RemoteAddr().String()), mark, 5*time.Second)
	if err != nil {
		raw.Close()
		return nil, err
	}
	c := &Conn{role: role, session: id, conn: raw, done: make(chan struct{}), split: wire.NewSplitter(role.Proto()),
		goAhead: make(chan bool, 1), resume: make(chan net.Conn),
		pool: &tls.Config{RootCAs: s.certPool, ServerName: "localhost", MinVersion: tls.VersionTLS12}}
	if role.ImplicitTLS() {
		tc := tls.Client(raw, c.pool)
		if err := tc.Handshake(); err != nil {
			raw.Close()
			return nil, err
		}
		c.conn, c.encrypted = tc, true
	}
	go c.drain()
	return c, nil
}

// Session is the id the tap gave this connection; its events carry it.
func (c *Conn) Session() wire.SessionID { return c.session }

// Role is the listener this connection went to.
func (c *Conn) Role() wire.Role { return c.role }

// Encrypted reports whether TLS is on.
func (c *Conn) Encrypted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.encrypted
}

// Done is closed when the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Send writes line followed by CRLF, exactly.
func (c *Conn) Send(line string) error {
	_, err := c.Write([]byte(line + "\r\n"))
	return err
}

// Write sends raw bytes.
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.split.Client(p, func(wire.Piece) {})
	return c.conn.Write(p)
}

// Close ends the connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	return conn.Close()
}

// StartTLS waits for the server's answer to a STARTTLS (or STLS) already
// sent and, when the server agrees, performs the TLS handshake. It returns an
// error when the server refused or the connection ended.
func (c *Conn) StartTLS() error {
	if c.Encrypted() {
		return errors.New("TLS is already on")
	}
	var ok bool
	select {
	case ok = <-c.goAhead:
	case <-c.done:
		return errors.New("the connection has ended")
	}
	c.mu.Lock()
	raw := c.conn
	c.mu.Unlock()
	if !ok {
		c.resume <- raw
		return errors.New("the server refused to start TLS")
	}
	tc := tls.Client(raw, c.pool)
	err := tc.Handshake()
	c.mu.Lock()
	if err == nil {
		c.conn, c.encrypted = tc, true
	}
	next := c.conn
	c.mu.Unlock()
	c.resume <- next
	return err
}

// drain reads and discards the server's bytes. When the server answers a
// STARTTLS it stops reading, so that the handshake's bytes go to StartTLS.
func (c *Conn) drain() {
	defer c.closeOnce.Do(func() { close(c.done) })
	buf := make([]byte, 32*1024)
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	for {
		n, err := conn.Read(buf)
		answer := 0
		c.split.Server(buf[:n], func(p wire.Piece) {
			if p.Answers == "STARTTLS" || p.Answers == "STLS" {
				answer = -1
				if p.OK {
					answer = 1
				}
			}
		})
		if answer != 0 {
			c.goAhead <- answer > 0
			select {
			case conn = <-c.resume:
			case <-time.After(time.Minute):
				// Nobody called StartTLS: keep draining the same connection.
				<-c.goAhead
			}
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				conn.Close()
			}
			return
		}
	}
}
