package tap

import "github.com/mailtutor/mailtutor/simulator/wire"

// A Corrector is a server's corrections to its library's side of one
// session: where go-smtp or go-imap answer differently from the RFCs,
// answer nothing, or would be thrown off by a client line, the server's
// package says what is said instead. The relay calls it on the plaintext it
// sees (after STARTTLS the library's own connection carries TLS, so a
// correction cannot wrap it), with the protocol model's facts on each
// piece. The server packages implement it (smtp.Corrector,
// imap.Corrector) without importing this package: its methods speak only
// wire's types.
//
// The client-side methods (LineLimit to WholeLines) are called by the
// goroutine reading the client, Reply and Farewell by the one reading the
// library; a corrector that keeps state across the two guards it.
type Corrector interface {
	// LineLimit is the longest command line, its CRLF included, the
	// library is handed; longer ones never reach it and are answered with
	// TooLong. 0 means no limit: lines go on in pieces as they come.
	LineLimit() int
	// TooLong answers a command line over LineLimit; head is how the line
	// started (its first 64 bytes at most).
	TooLong(head string) string
	// Command sees a complete client line before the library does (not
	// one the model marked Dropped, nor one over LineLimit). With a reply,
	// the library never gets the line and the client gets reply, and the
	// session ends after it when hangUp is set. Without one, line is what
	// the library gets instead of the client's line (nil: the line as it
	// came; the tap shows the line as the client sent it either way).
	Command(p wire.Piece) (reply string, hangUp bool, line []byte)
	// WholeLines reports whether the library's lines must reach the
	// client whole, one piece at a time, so that any of them can be
	// corrected; otherwise they go out as the library wrote them, and a
	// correction is made only where the bytes it changes have not gone
	// out with an earlier write.
	WholeLines() bool
	// Reply sees a complete server line before the client does. It returns
	// the line the client gets instead (nil: the line as it came; empty:
	// no line at all, and nobody sees it) and, for a reply that completes
	// a command, whether the corrected reply is a success.
	Reply(p wire.Piece) (line []byte, ok bool)
	// Farewell is what the client is told when the library closes the
	// connection without a word; "" for nothing.
	Farewell() string
}

// An Extender is a Corrector whose server answers some commands its library
// does not know, in front of the library: the relay keeps such a command
// from the library, waits until the library has answered every command sent
// before it, and hands it over whole, so that pipelined commands are
// answered in order.
type Extender interface {
	// Intercepts reports whether a client line starts a command answered
	// here rather than by the library.
	Intercepts(p wire.Piece) bool
	// MaxCommand is the most such a command may hold, its literals
	// included, for the verb the model named: past it the relay keeps no
	// more of it, and Answer is told it is not whole.
	MaxCommand(verb string) int
	// Early is asked, before the relay answers "+", at each line of such
	// a command that announces a synchronising literal, with the command
	// so far: a refusal (the tagged reply, CRLF-terminated) ends the
	// command there, and the client sends no literal (an IMAP APPEND's
	// message over the size limit). "" lets the command go on.
	Early(cmd []byte) string
	// Answer answers one such command, given as the client sent it (its
	// lines and literals); whole is false when it grew past MaxCommand
	// and cmd holds only its start, to be refused. stop closes when the
	// session ends (a wait for the library's session gives up). The reply
	// is one event per line, the last one carrying the facts of the
	// command it completes (Tag, Answers, OK); clientID is what the client
	// said it is (IMAP ID), "" otherwise. With library set, the library
	// runs those bytes in the command's place (they are what it reads
	// next), and its tagged reply, which the Corrector may rewrite,
	// completes the command: reply then holds no tagged line.
	Answer(cmd []byte, whole bool, stop <-chan struct{}) (reply []wire.Event, library []byte, clientID string)
}

// A BodyTaker is a Corrector whose server takes a plain SMTP DATA body
// from the tap, which reads every byte anyway, instead of reading it from
// the library byte by byte (see bodyHold): the library gets only the
// ".\r\n" that ends the body.
type BodyTaker interface {
	// BodyLimits are the library's line and message size limits, in
	// octets: a body the tap takes stays clear of both.
	BodyLimits() (maxLine, maxSize int)
	// TakeBody is handed the body of a DATA command the tap read, before
	// the library reads the ".\r\n" that ends it; nil when a body starts,
	// so that none is left over from an earlier one. The bytes stay valid
	// until the library reads again.
	TakeBody(body []byte)
}

// noCorrections is the Corrector of a server with nothing to correct
// (mailtutor's own POP3 server).
type noCorrections struct{}

func (noCorrections) LineLimit() int                            { return 0 }
func (noCorrections) TooLong(string) string                     { return "" }
func (noCorrections) Command(wire.Piece) (string, bool, []byte) { return "", false, nil }
func (noCorrections) WholeLines() bool                          { return false }
func (noCorrections) Reply(wire.Piece) ([]byte, bool)           { return nil, false }
func (noCorrections) Farewell() string                          { return "" }
