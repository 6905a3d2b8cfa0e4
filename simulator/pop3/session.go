package pop3

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// maxCommandLine is the longest command line accepted, CRLF included
// (RFC 2449 §4 raised RFC 1939's 47 characters to 255 octets).
const maxCommandLine = 255

// readBufferSize bounds what is kept of one line in memory. Longer lines are
// read and thrown away piece by piece up to their LF, so a 1 MB line costs
// 4 KB. SASL responses may exceed 255 octets (RFC 5034 §4), up to this size.
const readBufferSize = 4096

// state is the RFC 1939 session state. UPDATE is entered and left inside the
// QUIT command, so it needs no value of its own.
type state int

const (
	authorization state = iota
	transaction
)

// errLineTooLong is returned by readLine when a line was longer than allowed;
// the line has been discarded and the session goes on.
var errLineTooLong = errors.New("line too long")

// errQuit ends the session after a QUIT reply.
var errQuit = errors.New("quit")

// errShutdown ends the session because the server is closing.
var errShutdown = errors.New("server shutting down")

// session is one POP3 connection. Only the session's own goroutine reads and
// writes the connection; Server.Close merely asks it to stop (shutdown).
type session struct {
	srv          *Server
	raw          net.Conn  // the connection as accepted (under TLS, the socket beneath)
	readDeadline time.Time // the idle deadline last set on raw (armRead)

	conn net.Conn // raw, or the *tls.Conn wrapping it after STLS
	r    *bufio.Reader
	w    *bufio.Writer

	// closing is set by Server.Close: the session says goodbye and ends.
	closing atomic.Bool
	// silent is set when the session must end without a goodbye (after
	// QUIT, or a failed TLS handshake, when clear text would be garbage).
	silent bool

	secure    bool   // the connection is TLS (implicit pop3s, or after STLS)
	timestamp string // the greeting's "<...@host>", the APOP challenge

	state        state
	userName     string // from USER, waiting for PASS ("" = no USER yet)
	failedLogins int    // on this connection, for store.FailedLoginDelay

	// Set on login (TRANSACTION state).
	user  *store.User
	inbox *store.Mailbox
	md    *store.Maildrop
}

func newSession(srv *Server, conn net.Conn) *session {
	s := &session{srv: srv, raw: conn, conn: conn}
	if tc, ok := conn.(*tls.Conn); ok {
		s.secure = true
		s.raw = tc.NetConn()
	}
	s.r = bufio.NewReaderSize(conn, readBufferSize)
	s.w = bufio.NewWriterSize(conn, 32*1024)
	return s
}

// serve runs the session until QUIT, a dropped connection, the idle timeout
// or the server's Close. Whatever happens, a maildrop not committed by QUIT
// is released untouched.
func (s *session) serve() {
	defer func() {
		if s.closing.Load() && !s.silent {
			s.raw.SetWriteDeadline(time.Now().Add(2 * time.Second))
			s.reply("-ERR [SYS/TEMP] server shutting down, try again later")
			s.flush()
		}
		if s.md != nil {
			s.md.Release()
		}
		s.raw.Close()
	}()

	n := s.srv.greetings.Add(1)
	s.timestamp = fmt.Sprintf("<%d.%d@%s>", s.srv.now().Unix(), n, s.srv.opts.Hostname)
	s.reply("+OK " + s.srv.opts.Hostname + " POP3 server ready " + s.timestamp)
	if err := s.flush(); err != nil {
		return
	}

	for {
		if !s.armRead() {
			return
		}
		line, err := s.readLine()
		if s.closing.Load() {
			return
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			// RFC 1939 §3: an autologout timer ends the session without
			// entering UPDATE, so nothing marked is deleted.
			s.reply("-ERR idle for too long, closing the connection (autologout)")
			s.flush()
			return
		}
		if err == errLineTooLong {
			s.reply(fmt.Sprintf("-ERR line too long (the limit is %d octets with CRLF, RFC 2449)", maxCommandLine))
			err = nil // the line is gone; the session goes on
		} else if err != nil {
			return // dropped connection: deletes nothing
		} else {
			err = s.handle(line)
		}
		// PIPELINING (RFC 2449): while more complete commands are already
		// waiting, answer them before flushing, so that one write carries
		// several replies.
		if err != nil || !s.lineWaiting() {
			if ferr := s.flush(); ferr != nil {
				return
			}
		}
		if err != nil {
			s.silent = s.silent || err == errQuit
			return
		}
	}
}

// armRead starts the idle timer for the next read. It reports false when the
// server is shutting down. Close sets closing before it cuts reads short, so
// either this check sees it or Close's deadline overrides this one.
func (s *session) armRead() bool {
	// Moving a deadline costs a timer update; while commands keep coming,
	// the timer is moved only once it would fire more than 1/64 of the
	// idle time early (about 9 s of 10 minutes).
	if want := time.Now().Add(s.srv.idle); want.Sub(s.readDeadline) > s.srv.idle/64 {
		s.raw.SetReadDeadline(want)
		s.readDeadline = want
	}
	return !s.closing.Load()
}

// handle runs one command line and writes its reply. It returns an error only
// when the session must end (QUIT, a failed TLS handshake, a write error).
func (s *session) handle(line string) error {
	verb, args, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	if verb == "" {
		s.reply("-ERR empty command")
		return nil
	}
	cmd, known := lookup(verb)
	if !known {
		s.reply(fmt.Sprintf("-ERR unknown command %q", printable(verb)))
		return nil
	}
	switch {
	case s.state == authorization && !cmd.authorization:
		s.reply(fmt.Sprintf("-ERR %s is only valid in the TRANSACTION state: log in first (USER/PASS, APOP or AUTH)", verb))
		return nil
	case s.state == transaction && !cmd.transaction:
		s.reply(fmt.Sprintf("-ERR %s is only valid in the AUTHORIZATION state: you are already logged in", verb))
		return nil
	}
	perr, err := cmd.run(s, args)
	if perr != nil && perr.loginFailed {
		// Real servers slow down a connection that keeps failing to
		// log in (store.FailedLoginDelay): USER/PASS, APOP and AUTH alike.
		s.failedLogins++
		s.srv.pause(store.FailedLoginDelay(s.failedLogins))
	}
	if perr != nil {
		s.reply(perr.Error())
	}
	return err
}

// command describes one POP3 verb: the states it is valid in and its handler.
// A handler writes its positive reply itself and returns a *Error for a
// negative one; its error return ends the session.
type command struct {
	authorization bool // valid before login
	transaction   bool // valid after login
	run           func(s *session, args string) (*Error, error)
}

// lookup finds a verb (already upper-cased). A switch rather than a map
// keeps the table free of package-level mutable state.
func lookup(verb string) (command, bool) {
	switch verb {
	// AUTHORIZATION (auth.go)
	case "USER":
		return command{authorization: true, run: (*session).cmdUSER}, true
	case "PASS":
		return command{authorization: true, run: (*session).cmdPASS}, true
	case "APOP":
		return command{authorization: true, run: (*session).cmdAPOP}, true
	case "AUTH":
		return command{authorization: true, run: (*session).cmdAUTH}, true
	case "STLS":
		return command{authorization: true, run: (*session).cmdSTLS}, true
	// Both states (capa.go)
	case "CAPA":
		return command{authorization: true, transaction: true, run: (*session).cmdCAPA}, true
	case "QUIT":
		return command{authorization: true, transaction: true, run: (*session).cmdQUIT}, true
	// TRANSACTION (transaction.go)
	case "STAT":
		return command{transaction: true, run: (*session).cmdSTAT}, true
	case "LIST":
		return command{transaction: true, run: (*session).cmdLIST}, true
	case "UIDL":
		return command{transaction: true, run: (*session).cmdUIDL}, true
	case "RETR":
		return command{transaction: true, run: (*session).cmdRETR}, true
	case "TOP":
		return command{transaction: true, run: (*session).cmdTOP}, true
	case "DELE":
		return command{transaction: true, run: (*session).cmdDELE}, true
	case "RSET":
		return command{transaction: true, run: (*session).cmdRSET}, true
	case "NOOP":
		return command{transaction: true, run: (*session).cmdNOOP}, true
	}
	return command{}, false
}

// readLine reads one line without its CRLF (a bare LF is tolerated). A line
// longer than maxCommandLine is discarded and errLineTooLong returned.
func (s *session) readLine() (string, error) {
	return s.readLineMax(maxCommandLine)
}

// readLineMax is readLine with another limit (SASL responses may be longer).
// It never holds more than readBufferSize bytes of a line.
func (s *session) readLineMax(limit int) (string, error) {
	line, err := s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		for err == bufio.ErrBufferFull {
			_, err = s.r.ReadSlice('\n')
		}
		if err != nil {
			return "", err
		}
		return "", errLineTooLong
	}
	if err != nil {
		return "", err // a partial line before EOF is not a command
	}
	if len(line) > limit {
		return "", errLineTooLong
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return string(line), nil
}

// lineWaiting reports whether a complete command line is already buffered.
func (s *session) lineWaiting() bool {
	n := s.r.Buffered()
	if n == 0 {
		return false
	}
	buf, _ := s.r.Peek(n)
	return bytes.IndexByte(buf, '\n') >= 0
}

// reply writes one line and CRLF. Write errors stick in the writer and
// surface at flush.
func (s *session) reply(line string) {
	s.w.WriteString(line)
	s.w.WriteString("\r\n")
}

func (s *session) flush() error { return s.w.Flush() }

// shutdown is called by Server.Close from another goroutine. It interrupts
// the session's read (a waiting session wakes at once) and bounds its writes
// (a client that stopped reading cannot hold Close); the session then says
// goodbye and ends by itself, after finishing any reply in progress.
func (s *session) shutdown() {
	s.closing.Store(true)
	s.raw.SetWriteDeadline(time.Now().Add(2 * time.Second))
	s.raw.SetReadDeadline(time.Now())
}

// printable cuts and cleans a client-supplied word for quoting in a reply.
func printable(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
