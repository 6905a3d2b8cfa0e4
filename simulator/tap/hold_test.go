package tap

import (
	"net"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// While the relays are held, a client's command waits (the library never
// sees it) and a new connection is not served; once let go, both go on
// and nothing is lost.
func TestHoldPausesTheRelay(t *testing.T) {
	w := startRelay(t, nil)
	c, r := w.dial(t)
	if got := exchange(t, c, r, "NOOP"); got != "250 ok NOOP\r\n" {
		t.Fatalf("before the hold: %q", got)
	}
	w.hold.For(time.Hour)
	if _, err := c.Write([]byte("HELD\r\n")); err != nil {
		t.Fatal(err)
	}
	late, err := net.Dial("tcp", w.relay.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	// Nothing may pass while held: give a broken hold time to show.
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if b := make([]byte, 64); true {
		if n, err := c.Read(b); err == nil || n > 0 {
			t.Fatalf("the held relay answered %q", b[:n])
		}
	}
	if lines, _ := w.lib.got(); len(lines) != 1 {
		t.Fatalf("the library saw %q while held, want only NOOP", lines)
	}
	w.hold.Release()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got, err := r.ReadString('\n'); got != "250 ok HELD\r\n" {
		t.Fatalf("after the hold: %q %v", got, err)
	}
	w.until(t, "HELD on the tap", func(e wire.Event) bool { return string(e.Data) == "HELD\r\n" })
}

// A hold ends by itself when its time is up, and a later For extends it
// rather than cutting it short; Wait returns when its stop closes.
func TestHoldEndsByItself(t *testing.T) {
	var h Hold
	h.Wait(nil) // nobody holds it: at once
	began := time.Now()
	h.For(50 * time.Millisecond)
	h.For(10 * time.Millisecond) // shorter: must not shorten it
	h.Wait(nil)
	if waited := time.Since(began); waited < 50*time.Millisecond {
		t.Fatalf("the hold ended after %v, before its 50ms", waited)
	}
	h.For(time.Hour)
	stop := make(chan struct{})
	close(stop)
	h.Wait(stop) // returns: stop is closed
	h.Release()
	h.Wait(nil)
}
