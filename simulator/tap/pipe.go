package tap

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
)

// pipeListener hands the server library the server ends of in-memory pipes
// whose other ends the relay holds. To the library it is an ordinary
// listener; the real TCP listener stays with the relay.
type pipeListener struct {
	addr   net.Addr
	conns  chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newPipeListener(addr net.Addr) *pipeListener {
	return &pipeListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.closed.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return l.addr }

// pipe makes a pipe for a session the relay stands in front of: it returns
// the near end for the relay and the far end for the library (see hand).
// Both ends report the real client's and the real listener's addresses, so
// Received headers and logs name the real peer. The far end orders the
// library's steps with the session's extension commands (libSync).
func (l *pipeListener) pipe(client, server net.Addr, s *Session) (near, far net.Conn, err error) {
	n, f, err := socketPair()
	if err != nil {
		return nil, nil, err
	}
	return &addrConn{Conn: n, local: client, remote: server}, &addrConn{Conn: f, local: server, remote: client, sync: &s.libSync}, nil
}

// hand gives the library a connection: a tapConn, or the far end of a pipe.
func (l *pipeListener) hand(c net.Conn) error {
	select {
	case l.conns <- c:
		return nil
	case <-l.done:
		return errors.New("server is shutting down")
	}
}

// WithAddrs returns c reporting the given addresses (an in-process pipe
// standing for a connection between two of the world's servers).
func WithAddrs(c net.Conn, local, remote net.Addr) net.Conn {
	return &addrConn{Conn: c, local: local, remote: remote}
}

// addrConn overrides a pipe end's addresses.
type addrConn struct {
	net.Conn
	local, remote net.Addr
	// sync, on the library's end of the pipe, is the session's libSync:
	// taken and let go after each read and before each write, so that what
	// the library did before it wrote happens before an extension command
	// the relay answers meanwhile (under libSync), and that command before
	// what the library does with the next bytes it reads. (A socket pair
	// orders nothing for Go's memory model.)
	sync *sync.Mutex
}

func (c *addrConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.sync != nil {
		c.sync.Lock()
		c.sync.Unlock()
	}
	return n, err
}

func (c *addrConn) Write(p []byte) (int, error) {
	if c.sync != nil {
		c.sync.Lock()
		c.sync.Unlock()
	}
	return c.Conn.Write(p)
}

func (c *addrConn) LocalAddr() net.Addr  { return c.local }
func (c *addrConn) RemoteAddr() net.Addr { return c.remote }

// CloseWrite half-closes the pipe (the relay passes a client's hang-up on).
func (c *addrConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// socketPair returns two connected in-kernel stream sockets. Unlike
// net.Pipe they are buffered, so a library that writes a response in two
// flushes does not wait for the relay in between, and the relay reads both
// in one go and forwards them in one TCP write.
func socketPair() (net.Conn, net.Conn, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "mailtutor-pipe")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			if i == 1 {
				conns[0].Close()
			}
			return nil, nil, err
		}
		conns[i] = c
	}
	return conns[0], conns[1], nil
}
