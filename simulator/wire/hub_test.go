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

// A batch subscriber gets every event in order, and a transient event's
// bytes are its own: the publisher reuses its buffer at once, and a reader
// appending to one event's bytes must not overwrite the next event's.
func TestHubBatchesOwnTransientBytes(t *testing.T) {
	h := NewHub()
	sub := h.Subscribe(SubscribeOptions{Batches: true, Buffer: 1 << 20})
	if sub.Events() != nil {
		t.Fatal("a batch subscription has no one-by-one channel")
	}
	buf := make([]byte, 8)
	big := make([]byte, slabSize) // over the slab threshold: copied alone
	for i := 0; i < 20000; i++ {
		copy(buf, fmt.Sprintf("%08d", i))
		h.PublishTransient(Event{Session: "s1", Data: buf})
		if i == 500 {
			h.PublishTransient(Event{Session: "s1", Data: big})
		}
	}
	for i := range buf {
		buf[i] = 'x'
	}
	h.Close()
	var got []Event
	for batch := range sub.Batches() {
		got = append(got, batch...)
	}
	if len(got) != 20001 {
		t.Fatalf("got %d events", len(got))
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
	}
	first := got[0].Data
	_ = append(first, "overwritten"...)
	if string(got[1].Data) != "00000001" {
		t.Fatalf("appending to one event's bytes changed the next: %q", got[1].Data)
	}
	if string(got[20000].Data) != "00019999" || len(got[501].Data) != slabSize {
		t.Fatalf("last %q, big %d bytes", got[20000].Data, len(got[501].Data))
	}
}

// TestLossySubscriberBoundedByBytes: a lossy subscriber that does not read
// keeps at most MaxBytes of event data; the rest is counted as missed.
func TestLossySubscriberBoundedByBytes(t *testing.T) {
	h := NewHub()
	sub := h.Subscribe(SubscribeOptions{Buffer: 1000, MaxBytes: 3 << 20, Batches: true})
	defer sub.Close()
	big := make([]byte, 1<<20)
	for range 30 {
		h.PublishTransient(Event{Kind: Payload, Data: big})
	}
	h.Close()
	kept, missed := 0, 0
	for batch := range sub.Batches() {
		for _, e := range batch {
			switch e.Kind {
			case Payload:
				kept++
			case Dropped:
				missed += e.N
			}
		}
	}
	// Besides the queue, one batch may wait in the channel and one in the
	// pump's hands: at most three times the bound is held.
	if kept > 9 || kept+missed != 30 {
		t.Fatalf("kept %d, missed %d of 30 events of 1 MB with a 3 MB bound", kept, missed)
	}
}
