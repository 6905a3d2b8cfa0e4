package wire

import (
	"fmt"
	"testing"
)

func TestHubLosslessKeepsOrder(t *testing.T) {
	h := NewHub()
	sub := h.Subscribe(SubscribeOptions{Lossless: true})
	for i := 0; i < 10000; i++ {
		h.Publish(Event{Session: "s1", Data: []byte(fmt.Sprint(i))})
	}
	h.Close()
	var n uint64
	for e := range sub.Events() {
		n++
		if e.Seq != n || string(e.Data) != fmt.Sprint(n-1) {
			t.Fatalf("event %d: seq %d data %q", n, e.Seq, e.Data)
		}
	}
	if n != 10000 {
		t.Fatalf("got %d events", n)
	}
}

func TestHubBoundedReportsDrops(t *testing.T) {
	h := NewHub()
	sub := h.Subscribe(SubscribeOptions{Buffer: 10})
	// The pump may hand a few events to the channel before the queue fills;
	// whatever it cannot hold must be counted, never silently lost.
	for i := 0; i < 1000; i++ {
		h.Publish(Event{Session: "s1"})
	}
	h.Publish(Event{Session: "s1", Data: []byte("last")})
	h.Close()
	seen, dropped := 0, 0
	for e := range sub.Events() {
		if e.Kind == Dropped {
			dropped += e.N
			continue
		}
		seen++
	}
	if seen+dropped != 1001 || dropped == 0 {
		t.Fatalf("seen %d + dropped %d != 1001", seen, dropped)
	}
}

func TestHubSessionFilterAndClose(t *testing.T) {
	h := NewHub()
	sub := h.Subscribe(SubscribeOptions{Lossless: true, Session: "s2"})
	h.Publish(Event{Session: "s1"})
	h.Publish(Event{Session: "s2", Data: []byte("mine")})
	e := <-sub.Events()
	if string(e.Data) != "mine" {
		t.Fatalf("got %q", e.Data)
	}
	sub.Close()
	sub.Close()
	h.Publish(Event{Session: "s2"})
	h.Close()
}

func TestMasked(t *testing.T) {
	e := Event{Data: []byte("PASS secret\r\n"), Secret: Range{5, 11}}
	if got := string(e.Masked()); got != "PASS ********\r\n" {
		t.Fatalf("masked %q", got)
	}
}
