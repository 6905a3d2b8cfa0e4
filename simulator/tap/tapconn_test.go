package tap

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

func TestDeadlineMatters(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	in := func(d time.Duration) time.Time { return now.Add(d) }
	cases := []struct {
		name      string
		want, set time.Time
		matters   bool
	}{
		{"same", in(time.Minute), in(time.Minute), false},
		{"a deadline where there was none", in(time.Minute), time.Time{}, true},
		{"no deadline where there was one", time.Time{}, in(time.Minute), true},
		{"earlier: a shutdown interrupting a read", now, in(30 * time.Second), true},
		{"30 s from now, set 1 ms ago", in(30 * time.Second), in(30*time.Second - time.Millisecond), false},
		{"30 s from now, set 10 s ago", in(30 * time.Second), in(20 * time.Second), true},
		{"100 ms from now, set 1 ms ago", in(100 * time.Millisecond), in(99 * time.Millisecond), false},
		{"100 ms from now, set 5 ms ago", in(100 * time.Millisecond), in(95 * time.Millisecond), true},
	}
	for _, c := range cases {
		if got := deadlineMatters(c.want, c.set, now); got != c.matters {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

// tapPair returns a tapConn over one end of an in-memory pipe, as the
// library would hold it, and the client's end.
func tapPair(t *testing.T) (*tapConn, net.Conn) {
	lib, client := net.Pipe()
	t.Cleanup(func() { lib.Close(); client.Close() })
	s := bareSession(wire.IMAP, nil, lib)
	return newTapConn(s, lib), client
}

// A write deadline the library cleared must not linger on the socket and
// fail a later write, even though clearing it is deferred.
func TestTapClearedWriteDeadlineDoesNotLinger(t *testing.T) {
	tc, client := tapPair(t)
	go io.Copy(io.Discard, client)
	tc.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := tc.Write([]byte("* OK one\r\n")); err != nil {
		t.Fatal(err)
	}
	tc.SetWriteDeadline(time.Time{})
	time.Sleep(50 * time.Millisecond) // the old deadline has passed
	if _, err := tc.Write([]byte("* OK two\r\n")); err != nil {
		t.Fatalf("write after the deadline was cleared: %v", err)
	}
}

// A read deadline moved earlier wakes a read that is already blocked (how
// a server interrupts its sessions when it shuts down).
func TestTapEarlierReadDeadlineInterrupts(t *testing.T) {
	tc, _ := tapPair(t)
	tc.SetReadDeadline(time.Now().Add(time.Hour))
	done := make(chan error, 1)
	go func() {
		_, err := tc.Read(make([]byte, 10))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	tc.SetReadDeadline(time.Now())
	select {
	case err := <-done:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("read ended with %v, want a timeout", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the blocked read was not interrupted")
	}
}
