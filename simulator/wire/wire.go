// Package wire is the leaf of mailtutor: the events that describe every byte
// crossing a simulated connection, the splitters that cut a byte stream into
// protocol lines (aware of SMTP DATA, BDAT chunks and IMAP literals), and the
// hub that publishes events to subscribers without ever blocking a connection.
//
// It imports only the standard library so that every other layer (transcripts,
// lessons, the TUI) can consume events without knowing about the servers.
package wire

import (
	"fmt"
	"time"
)

// Proto names the protocol spoken on a session.
type Proto string

const (
	SMTP Proto = "smtp"
	POP3 Proto = "pop3"
	IMAP Proto = "imap"
)

// Role names the listener a session arrived on. The same protocol can be
// offered under several roles with different policies (MX accepts mail for
// local domains without AUTH, submission requires AUTH, ...).
type Role string

const (
	RoleMX          Role = "mx"          // SMTP port 25 style: inbound mail for local domains, no AUTH
	RoleSubmission  Role = "submission"  // SMTP port 587 style: AUTH required, may send anywhere
	RoleSubmissions Role = "submissions" // SMTP over implicit TLS (port 465 style)
	RolePOP3        Role = "pop3"        // POP3 port 110 style
	RolePOP3S       Role = "pop3s"       // POP3 over implicit TLS (port 995 style)
	RoleIMAP        Role = "imap"        // IMAP port 143 style
	RoleIMAPS       Role = "imaps"       // IMAP over implicit TLS (port 993 style)
)

// Proto returns the protocol spoken under the role.
func (r Role) Proto() Proto {
	switch r {
	case RolePOP3, RolePOP3S:
		return POP3
	case RoleIMAP, RoleIMAPS:
		return IMAP
	default:
		return SMTP
	}
}

// ImplicitTLS reports whether the role's listener speaks TLS from the first byte.
func (r Role) ImplicitTLS() bool {
	return r == RoleSubmissions || r == RolePOP3S || r == RoleIMAPS
}

// Dir is the direction of an event.
type Dir int

const (
	FromClient Dir = iota // bytes the client sent to the server ("C:")
	FromServer            // bytes the server sent to the client ("S:")
	Meta                  // something that happened to the session itself (open, close, TLS)
)

func (d Dir) String() string {
	switch d {
	case FromClient:
		return "C"
	case FromServer:
		return "S"
	default:
		return "*"
	}
}

// Kind says what an event's Data holds.
type Kind int

const (
	// Line is one protocol line, Data including its line ending (CRLF, or a
	// bare LF when the peer sent one; a final line may have none if the
	// connection closed mid-line).
	Line Kind = iota
	// Payload is a block of raw bytes carried inside the protocol: an SMTP
	// DATA body (up to and including the terminating "." line), a BDAT chunk,
	// or an IMAP literal ({N} bytes). It is captured whole as one event.
	Payload
	// Open marks a new session; Data holds a human note (peer address).
	Open
	// Close marks the end of a session; Data holds the reason.
	Close
	// TLS marks a completed TLS handshake; Data holds a description of the
	// negotiated version and cipher suite. From here on Encrypted is true.
	TLS
	// TLSFailed marks a failed TLS handshake; Data holds the error.
	TLSFailed
	// Dropped tells a bounded subscriber how many events it missed (N).
	Dropped
	// Discarded notes bytes the relay refused to forward (for example,
	// commands pipelined after STARTTLS, a known injection attack).
	Discarded
)

var kindNames = [...]string{"line", "payload", "open", "close", "tls", "tls-failed", "dropped", "discarded"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Range is a half-open byte range [Start, End) within an event's Data.
type Range struct{ Start, End int }

// Empty reports whether the range covers no bytes.
func (r Range) Empty() bool { return r.End <= r.Start }

// SessionID identifies one connection for the life of a simulator: "s1", "s2", ...
type SessionID string

// Event is one thing seen on a session, in one direction.
type Event struct {
	Seq       uint64    // position in the simulator's global order, from 1
	Session   SessionID // which connection
	Proto     Proto     // protocol spoken on the session
	Role      Role      // listener the session arrived on
	Peer      string    // the client's address ("127.0.0.1:53412") or a name such as "relay"
	Dir       Dir       // who sent it
	Kind      Kind      // what Data holds
	Time      time.Time // when the tap saw it (the simulator's clock)
	Data      []byte    // the bytes, exactly as sent (never modified after publishing)
	Encrypted bool      // the bytes travelled inside TLS on the real connection
	// Secret is the part of Data that holds a credential (a password, an
	// AUTH response, a LOGIN argument). Every layer that shows or saves
	// events masks it unless the user explicitly asks otherwise.
	Secret Range
	// N counts missed events for Kind == Dropped, discarded bytes for
	// Kind == Discarded.
	N int

	// The protocol model's facts about a Line or Payload (see Piece):
	// every layer downstream reads them instead of parsing the line again.
	Verb      string // the command a client line starts or continues
	Tag       string // IMAP: the tag of that command, or of the command a tagged reply completes
	Answers   string // on the server line that completes a reply: the command it answers
	OK        bool   // with Answers: the reply was a success
	Continues bool   // a client line that continues a command (a literal's rest, a SASL response, DONE)
	Dropped   bool   // client bytes of a refused command, never read by the server
	// IMAP: the literal a line announces (its rest follows) or a "+" says
	// go ahead to, and the head problem of a line that cannot start a command.
	Literal     LiteralKind
	LiteralSize int
	Head        IMAPHeadProblem
	QuoteOpen   bool // IMAP: a command line that ends inside a quoted string

	// TLSFailure says, on a TLSFailed event, why the handshake failed as
	// far as the server could tell (the client distrusted the certificate,
	// hung up, spoke plaintext).
	TLSFailure TLSFailure
}

// Masked returns Data with the Secret range replaced by asterisks. It returns
// Data itself when there is no secret.
func (e Event) Masked() []byte {
	if e.Secret.Empty() || e.Secret.End > len(e.Data) || e.Secret.Start < 0 {
		return e.Data
	}
	out := make([]byte, 0, len(e.Data))
	out = append(out, e.Data[:e.Secret.Start]...)
	out = append(out, "********"...)
	out = append(out, e.Data[e.Secret.End:]...)
	return out
}

// Source is anything that publishes wire events; *simulator.Simulator is one.
type Source interface {
	Subscribe(opts SubscribeOptions) *Subscription
}
