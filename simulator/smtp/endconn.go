package smtp

import (
	"crypto/tls"
	"net"
	"sync/atomic"
)

// A BDAT chunk cut short by the client hanging up looks complete to go-smtp:
// it copies the chunk through io.LimitReader, which ends quietly at the
// connection's end, so "BDAT 1000 LAST" followed by 17 bytes and a hang-up
// hands the session a 17-byte message to deliver. RFC 3030 §2 makes a chunk
// exactly its declared size. go-smtp does not tell the session the size, but
// a chunk that was complete is never followed by a read of the connection
// before the session's Data returns (go-smtp waits for Data's answer before
// it reads the next command, and its buffered reader never reads past what
// it was asked for). So a connection whose reading has already ended when
// the message ends had its last chunk cut: endConn notes that end, and Data
// delivers nothing.

// endConn is a connection as go-smtp reads it, noting when reading ends.
type endConn struct {
	net.Conn
	ended atomic.Bool // a Read returned an error: the client is gone (or the server closed it)
	// corr is what the simulator's tap handed over for this connection
	// (Server.Corrector); nil when it was served without one.
	corr *Corrector
}

func (c *endConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.ended.Store(true)
	}
	return n, err
}

// endListener hands go-smtp every connection inside an endConn, with the
// Corrector registered for it.
type endListener struct {
	net.Listener
	tlsConfig *tls.Config // the server's, for the implicit TLS of *tls.Conn connections
	srv       *Server
}

func (l *endListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*tls.Conn); ok {
		// Implicit TLS: go-smtp knows a session is secure only by its
		// *tls.Conn, so endConn must sit beneath the TLS. The listener's
		// TLS has not started yet (tls.NewListener leaves the handshake to
		// the first read); it is set up again over endConn with the
		// server's TLSConfig. Without one, the connection is served as it
		// came, and a cut chunk there is not detected.
		if l.tlsConfig == nil {
			return c, nil
		}
		return tls.Server(&endConn{Conn: tc.NetConn(), corr: l.srv.takeCorrector(tc.NetConn())}, l.tlsConfig), nil
	}
	return &endConn{Conn: c, corr: l.srv.takeCorrector(c)}, nil
}

// readEnded reports whether the client's side of c, go-smtp's connection
// (an endConn, or a *tls.Conn over one), has ended.
func readEnded(c net.Conn) bool {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	e, ok := c.(*endConn)
	return ok && e.ended.Load()
}

// correctorOf returns the Corrector handed over for c, go-smtp's
// connection (an endConn, or a *tls.Conn over one), or nil.
func correctorOf(c net.Conn) *Corrector {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if e, ok := c.(*endConn); ok {
		return e.corr
	}
	return nil
}
