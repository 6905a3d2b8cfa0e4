package simulator

import (
	"net"
	"time"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/imap"
	"github.com/mailtutor/mailtutor/simulator/smtp"
	"github.com/mailtutor/mailtutor/simulator/tap"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// This file wires a server to its tap (simulator/tap): the relay in front
// of the server gets the simulator's hub, clock and fault switches, and the
// server's own corrections to its library.

// newRelay returns the relay in front of srv on the public listener.
func (s *Simulator) newRelay(role wire.Role, public net.Listener, srv server) *tap.Relay {
	opts := tap.Options{
		Role: role, Public: public, TLS: s.tlsConfig, InnerTLS: s.innerTLS,
		Publisher: s.hub, Clock: s.clock, Faults: tapFaults{set: s.faults, proto: role.Proto()},
		Busy:   busyLine(role.Proto()),
		Opened: s.registerSession, Closed: s.unregisterSession, Changed: s.notify,
		Hold: &s.hold,
	}
	switch srv := srv.(type) {
	case *smtp.Server:
		opts.Correct = func(c net.Conn) tap.Corrector { return srv.Corrector(c) }
	case *imap.Server:
		opts.Correct = func(c net.Conn) tap.Corrector { return srv.Corrector(c) }
	}
	// POP3's server is mailtutor's own: nothing to correct.
	return tap.New(opts)
}

// busyLine answers the too-many-connections fault the way each protocol
// does.
func busyLine(p wire.Proto) string {
	switch p {
	case wire.SMTP:
		return "421 4.7.0 Too many connections, try again later\r\n"
	case wire.POP3:
		return "-ERR [SYS/TEMP] Too many connections, try again later\r\n"
	}
	return "* BYE [UNAVAILABLE] Too many connections, try again later\r\n"
}

// slowPace is how long each server line waits under the slow fault.
const slowPace = time.Second

// tapFaults is what a relay reads of the fault switches.
type tapFaults struct {
	set   *fault.Set
	proto wire.Proto
}

func (f tapFaults) RefuseConnections() bool { return f.set.On(fault.TooManyConnections) }

func (f tapFaults) Pace() time.Duration {
	if f.set.On(fault.Slow) {
		return slowPace
	}
	return 0
}

// DropAfter: the drop-connection fault hangs up once a session has
// something to lose: after the go-ahead for a message body, or a login.
func (f tapFaults) DropAfter(p wire.Piece) bool {
	if !p.OK || !f.set.On(fault.DropConnection) {
		return false
	}
	switch f.proto {
	case wire.SMTP:
		return p.Answers == "DATA" // the 354: the body will be swallowed
	case wire.POP3:
		return p.Answers == "PASS" || p.Answers == "APOP" || p.Answers == "AUTH"
	case wire.IMAP:
		return p.Answers == "LOGIN" || p.Answers == "AUTHENTICATE"
	}
	return false
}

// The servers' correctors offer the tap's optional parts; checked here, as
// the tap finds them by a type assertion on the Corrector.
var (
	_ tap.BodyTaker = (*smtp.Corrector)(nil)
	_ tap.Extender  = (*imap.Corrector)(nil)
)
