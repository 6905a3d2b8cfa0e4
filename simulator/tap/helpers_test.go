package tap

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// fakeCorrector is the Corrector interface under test: a server whose
// corrections are spelled out in the lines themselves, so a test can ask
// for each kind.
//   - a command line holding "refuse-me" is answered "NO refused" and
//     never reaches the library; "hang-up-me" is answered so and ends the
//     session;
//   - "rewrite-me" in a command line becomes "REWRITTEN" for the library;
//   - a server line holding "fix-me" reaches the client with "FIXED"
//     instead; one starting "250-drop-me" does not reach it at all.
type fakeCorrector struct {
	limit int  // LineLimit
	whole bool // WholeLines

	mu       sync.Mutex
	commands []string // the lines Command saw

	bodies [][]byte // TakeBody's bodies (BodyTaker)
}

func (f *fakeCorrector) LineLimit() int { return f.limit }

func (f *fakeCorrector) TooLong(head string) string {
	word, _, _ := strings.Cut(head, " ")
	return "TOO LONG " + replyWord(word) + "\r\n"
}

// replyWord keeps a reply printable whatever the client sent.
func replyWord(w string) string {
	if len(w) > 16 || strings.ContainsFunc(w, func(r rune) bool { return r < ' ' || r > '~' }) {
		return "?"
	}
	return w
}

func (f *fakeCorrector) Command(p wire.Piece) (string, bool, []byte) {
	f.mu.Lock()
	f.commands = append(f.commands, string(p.Data))
	f.mu.Unlock()
	text := string(wire.TrimEOL(p.Data))
	switch {
	case strings.Contains(text, "hang-up-me"):
		return "BYE hanging up\r\n", true, nil
	case strings.Contains(text, "refuse-me"):
		return "NO refused\r\n", false, nil
	case strings.Contains(text, "rewrite-me"):
		return "", false, []byte(strings.ReplaceAll(string(p.Data), "rewrite-me", "REWRITTEN"))
	}
	return "", false, nil
}

func (f *fakeCorrector) WholeLines() bool { return f.whole }

func (f *fakeCorrector) Reply(p wire.Piece) ([]byte, bool) {
	switch {
	case bytes.HasPrefix(p.Data, []byte("250-drop-me")):
		return []byte{}, p.OK
	case bytes.Contains(p.Data, []byte("fix-me")):
		return bytes.ReplaceAll(p.Data, []byte("fix-me"), []byte("FIXED")), p.OK
	}
	return nil, p.OK
}

func (f *fakeCorrector) Farewell() string { return "BYE the library left without a word\r\n" }

// fakeTaker is a fakeCorrector that takes DATA bodies.
type fakeTaker struct{ fakeCorrector }

func (f *fakeTaker) BodyLimits() (int, int) { return 1000, 1 << 16 }

func (f *fakeTaker) TakeBody(body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if body != nil {
		f.bodies = append(f.bodies, append([]byte(nil), body...))
	}
}

func (f *fakeTaker) taken() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies
}

// fixedClock stands still.
type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }

// switches are fault switches a test turns.
type switches struct {
	refuse atomic.Bool
	pace   atomic.Int64
	drop   atomic.Bool
}

func (f *switches) RefuseConnections() bool { return f.refuse.Load() }
func (f *switches) Pace() time.Duration     { return time.Duration(f.pace.Load()) }
func (f *switches) DropAfter(p wire.Piece) bool {
	return f.drop.Load() && p.OK && p.Answers != ""
}

// written collects what the relay writes to the client.
type written struct {
	net.Conn // nil: only Write is used
	out      bytes.Buffer
}

func (w *written) Write(b []byte) (int, error) { return w.out.Write(b) }
func (w *written) Close() error                { return nil }

// bareSession is a session of a relay with nothing behind it, for tests
// that call its methods directly.
func bareSession(proto wire.Proto, corr Corrector, cli net.Conn) *Session {
	r := New(Options{Role: roleOf(proto), Public: noListener{}, Publisher: wire.NewHub(), Clock: fixedClock{}, Faults: &switches{}})
	s := &Session{relay: r, corr: corr, proto: proto, role: roleOf(proto), split: wire.NewSplitter(proto), cli: cli,
		verdict: make(chan bool, 1), switched: make(chan net.Conn, 1), done: make(chan struct{}),
		literalVerdict: make(chan struct{}, 1), extReady: make(chan struct{}, 1)}
	if corr == nil {
		s.corr = noCorrections{}
	}
	return s
}

func roleOf(p wire.Proto) wire.Role {
	switch p {
	case wire.SMTP:
		return wire.RoleMX
	case wire.POP3:
		return wire.RolePOP3
	}
	return wire.RoleIMAP
}

// noListener is a public listener that is never used.
type noListener struct{}

func (noListener) Accept() (net.Conn, error) { return nil, net.ErrClosed }
func (noListener) Close() error              { return nil }
func (noListener) Addr() net.Addr            { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
