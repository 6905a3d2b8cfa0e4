package tap

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// The relay over TCP with a fake corrector (helpers_test.go) in front of a
// fake library: a few lines of SMTP, enough for the SMTP model to follow.

// fakeLibrary serves one connection from the relay's listener: a greeting,
// then an answer per command line. It records the lines and DATA bodies it
// read.
type fakeLibrary struct {
	mu     sync.Mutex
	lines  []string
	bodies []string
	wrote  chan error // the result of each write after "SLOW" (see TestPaceEndsWithTheSession)
}

func (l *fakeLibrary) serve(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	r := bufio.NewReader(c)
	c.Write([]byte("220 fake ESMTP\r\n"))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		l.mu.Lock()
		l.lines = append(l.lines, line)
		l.mu.Unlock()
		cmd := strings.TrimRight(line, "\r\n")
		var reply string
		switch {
		case cmd == "DATA":
			c.Write([]byte("354 go ahead\r\n"))
			var body strings.Builder
			for {
				b, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if b == ".\r\n" {
					break
				}
				body.WriteString(b)
			}
			l.mu.Lock()
			l.bodies = append(l.bodies, body.String())
			l.mu.Unlock()
			reply = "250 queued\r\n"
		case cmd == "QUIT":
			c.Write([]byte("221 bye\r\n"))
			return
		case cmd == "SILENT":
			return // hang up without a word
		case strings.Contains(cmd, "drop-me"):
			reply = "250-drop-me\r\n250 ok " + cmd + "\r\n"
		case cmd == "SLOW":
			_, err := c.Write([]byte("250 slow\r\n"))
			l.wrote <- err
			return
		default:
			reply = "250 ok " + cmd + "\r\n"
		}
		if _, err := c.Write([]byte(reply)); err != nil {
			return
		}
	}
}

func (l *fakeLibrary) got() ([]string, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...), append([]string(nil), l.bodies...)
}

// relayWorld is a relay in front of a fakeLibrary, and its events.
type relayWorld struct {
	relay    *Relay
	lib      *fakeLibrary
	events   *wire.Subscription
	faults   *switches
	hold     *Hold
	sessions chan *Session
}

func startRelay(t *testing.T, corr Corrector) *relayWorld {
	t.Helper()
	public, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hub := wire.NewHub()
	w := &relayWorld{lib: &fakeLibrary{wrote: make(chan error, 1)}, faults: &switches{}, hold: &Hold{},
		events: hub.Subscribe(wire.SubscribeOptions{Lossless: true}), sessions: make(chan *Session, 4)}
	n := 0
	w.relay = New(Options{Role: wire.RoleMX, Public: public, Publisher: hub, Clock: fixedClock{}, Faults: w.faults,
		Correct: func(net.Conn) Corrector { return corr },
		Busy:    "421 busy\r\n", Hold: w.hold,
		Opened: func(s *Session) wire.SessionID {
			n++
			w.sessions <- s
			return wire.SessionID("t" + string(rune('0'+n)))
		}})
	go w.lib.serve(w.relay.Listener())
	w.relay.Start()
	t.Cleanup(func() {
		w.relay.Close()
		for {
			select {
			case s := <-w.sessions:
				s.Finish("the test ended")
				continue
			default:
			}
			break
		}
		w.relay.Wait()
		hub.Close()
	})
	return w
}

// dialRelay connects a client that reads and writes lines.
func (w *relayWorld) dial(t *testing.T) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", w.relay.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	r := bufio.NewReader(c)
	if greeting, _ := r.ReadString('\n'); greeting != "220 fake ESMTP\r\n" {
		t.Fatalf("greeting %q", greeting)
	}
	return c, r
}

func exchange(t *testing.T, c net.Conn, r *bufio.Reader, line string) string {
	t.Helper()
	if _, err := c.Write([]byte(line + "\r\n")); err != nil {
		t.Fatal(err)
	}
	got, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("after %q: %v", line, err)
	}
	return got
}

// until reads events until one matches.
func (w *relayWorld) until(t *testing.T, what string, pred func(wire.Event) bool) wire.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-w.events.Events():
			if pred(e) {
				return e
			}
		case <-timeout:
			t.Fatalf("no event %s", what)
		}
	}
}

// The relay asks the corrector about every line it carries, on the
// plaintext: a refused line never reaches the library, a rewritten one
// reaches it rewritten, a corrected reply reaches the client corrected,
// and a reply left out reaches nobody; the tap shows what the client sent
// and what it got. Both ways of forwarding the library's lines: whole
// lines, and the library's writes with the corrections as edits.
func TestRelayCallsTheCorrector(t *testing.T) {
	for _, whole := range []bool{true, false} {
		w := startRelay(t, &fakeCorrector{limit: 100, whole: whole})
		c, r := w.dial(t)
		if got := exchange(t, c, r, "NOOP fix-me"); got != "250 ok NOOP FIXED\r\n" {
			t.Errorf("whole %v: corrected reply %q", whole, got)
		}
		if got := exchange(t, c, r, "VRFY refuse-me"); got != "NO refused\r\n" {
			t.Errorf("whole %v: refusal %q", whole, got)
		}
		if got := exchange(t, c, r, "MAIL FROM:<rewrite-me@example.net>"); got != "250 ok MAIL FROM:<REWRITTEN@example.net>\r\n" {
			t.Errorf("whole %v: reply to a rewritten line %q", whole, got)
		}
		if got := exchange(t, c, r, "NOOP drop-me"); got != "250 ok NOOP drop-me\r\n" {
			t.Errorf("whole %v: after a line left out %q", whole, got)
		}
		if got := exchange(t, c, r, "NOOP "+strings.Repeat("x", 200)); got != "TOO LONG NOOP\r\n" {
			t.Errorf("whole %v: a line over the limit %q", whole, got)
		}
		if got := exchange(t, c, r, "QUIT"); got != "221 bye\r\n" {
			t.Errorf("whole %v: QUIT %q", whole, got)
		}
		w.until(t, "the close", func(e wire.Event) bool { return e.Kind == wire.Close })
		lines, _ := w.lib.got()
		want := []string{"NOOP fix-me\r\n", "MAIL FROM:<REWRITTEN@example.net>\r\n", "NOOP drop-me\r\n", "QUIT\r\n"}
		if strings.Join(lines, "") != strings.Join(want, "") {
			t.Errorf("whole %v: the library read %q, want %q", whole, lines, want)
		}
	}
}

// What the tap publishes: the client's line as sent, the reply as the
// client got it, the relay's own answer as a server line, and no event for
// a line left out.
func TestRelayPublishesWhatTheClientSentAndGot(t *testing.T) {
	w := startRelay(t, &fakeCorrector{limit: 100})
	c, r := w.dial(t)
	exchange(t, c, r, "MAIL FROM:<rewrite-me@example.net>")
	w.until(t, "the line as sent", func(e wire.Event) bool {
		return e.Dir == wire.FromClient && string(e.Data) == "MAIL FROM:<rewrite-me@example.net>\r\n"
	})
	exchange(t, c, r, "NOOP drop-me fix-me")
	e := w.until(t, "the reply", func(e wire.Event) bool { return e.Dir == wire.FromServer && e.Answers == "NOOP" })
	if string(e.Data) != "250 ok NOOP drop-me FIXED\r\n" {
		t.Errorf("the reply published: %q", e.Data)
	}
	exchange(t, c, r, "VRFY refuse-me")
	w.until(t, "the relay's answer", func(e wire.Event) bool { return e.Dir == wire.FromServer && string(e.Data) == "NO refused\r\n" })
	exchange(t, c, r, "QUIT")
	for {
		e := w.until(t, "any", func(wire.Event) bool { return true })
		if strings.HasPrefix(string(e.Data), "250-drop-me") {
			t.Errorf("a line left out was published: %q", e.Data)
		}
		if e.Kind == wire.Close {
			break
		}
	}
}

// A refusal that hangs up ends the session after its reply.
func TestRelayHangsUpAfterARefusalThatSaysSo(t *testing.T) {
	w := startRelay(t, &fakeCorrector{limit: 100})
	c, r := w.dial(t)
	if got := exchange(t, c, r, "NOOP hang-up-me"); got != "BYE hanging up\r\n" {
		t.Fatalf("reply %q", got)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("the connection is still open")
	}
}

// When the library hangs up without a word, the client hears the
// corrector's farewell.
func TestRelaySaysTheFarewell(t *testing.T) {
	w := startRelay(t, &fakeCorrector{limit: 100})
	c, r := w.dial(t)
	if got := exchange(t, c, r, "SILENT"); got != "BYE the library left without a word\r\n" {
		t.Fatalf("farewell %q", got)
	}
	w.until(t, "the close", func(e wire.Event) bool { return e.Kind == wire.Close })
}

// A plain DATA body is handed to the BodyTaker, and the library reads only
// the ".\r\n" that ends it; one with a dot-stuffed line goes to the library
// as it came.
func TestRelayHandsPlainBodiesToTheTaker(t *testing.T) {
	taker := &fakeTaker{fakeCorrector{limit: 100}}
	w := startRelay(t, taker)
	c, r := w.dial(t)
	exchange(t, c, r, "MAIL FROM:<a@example.net>")
	exchange(t, c, r, "RCPT TO:<b@example.org>")
	for _, body := range []string{"Subject: plain\r\n\r\nHello.\r\n", "Subject: stuffed\r\n\r\n..a dot\r\n"} {
		if got := exchange(t, c, r, "DATA"); got != "354 go ahead\r\n" {
			t.Fatalf("DATA: %q", got)
		}
		if got := exchange(t, c, r, body+"."); got != "250 queued\r\n" {
			t.Fatalf("end of data: %q", got)
		}
	}
	_, bodies := w.lib.got()
	if len(bodies) != 2 || bodies[0] != "" || bodies[1] != "Subject: stuffed\r\n\r\n..a dot\r\n" {
		t.Errorf("the library read the bodies %q", bodies)
	}
	if taken := taker.taken(); len(taken) != 1 || string(taken[0]) != "Subject: plain\r\n\r\nHello.\r\n" {
		t.Errorf("the taker got %q", taken)
	}
}

// The too-many-connections fault: the busy line, and the end.
func TestRelayRefusesWhenBusy(t *testing.T) {
	w := startRelay(t, nil)
	w.faults.refuse.Store(true)
	c, err := net.Dial("tcp", w.relay.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	if got, _ := r.ReadString('\n'); got != "421 busy\r\n" {
		t.Fatalf("got %q", got)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("the connection is still open")
	}
}

// A paced line waits on a timer, not in a sleep: when the session ends
// meanwhile (the simulator shuts down), the library's write returns at
// once instead of after the pace.
func TestPaceEndsWithTheSession(t *testing.T) {
	w := startRelay(t, nil)
	c, _ := w.dial(t)
	s := <-w.sessions
	w.faults.pace.Store(int64(time.Hour))
	if _, err := c.Write([]byte("SLOW\r\n")); err != nil {
		t.Fatal(err)
	}
	// The library has read SLOW once the tap shows it (the event comes
	// before the bytes reach the library).
	w.until(t, "SLOW", func(e wire.Event) bool { return e.Dir == wire.FromClient && string(e.Data) == "SLOW\r\n" })
	s.Finish("shut down")
	select {
	case err := <-w.lib.wrote:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("the paced write ended with %v, want net.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the paced write still waits after the session ended")
	}
}
