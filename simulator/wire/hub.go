package wire

import (
	"sync"
	"sync/atomic"
)

// SubscribeOptions says how a subscriber wants its events delivered.
type SubscribeOptions struct {
	// Lossless keeps every event in an unbounded in-memory queue until the
	// subscriber reads it. The TUI, the recorder and the lesson checker need
	// this: a missing line would be a lie to the learner.
	Lossless bool
	// Buffer bounds the queue of a lossy subscriber (a load test, a console
	// printer). When it is full, new events are counted and reported as one
	// Dropped event with N set, instead of slowing any connection. Zero means 4096.
	Buffer int
	// Session, when set, delivers only the events of that session.
	Session SessionID
	// MaxBytes bounds, for a lossy subscriber, the bytes of event data
	// waiting in its queue (a FETCH of large messages is a few events of
	// megabytes each): an event that would go over is counted as missed,
	// like one over Buffer. Zero means no bound beyond Buffer. At most
	// three times MaxBytes is held in all: the queue, a batch waiting in
	// the channel and the batch the pump is handing over.
	MaxBytes int
	// Batches delivers the events through Batches, a slice at a time,
	// instead of one by one through Events: one hand-over per batch, for a
	// subscriber that must keep up with a flood (serve's console printer).
	Batches bool
}

// Subscription is one subscriber's stream of events, in publishing order.
type Subscription struct {
	hub     *Hub
	opts    SubscribeOptions
	out     chan Event   // one by one (nil with Batches)
	batches chan []Event // a batch at a time (nil without Batches)
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []Event
	waiting bool   // the pump sleeps until an event is queued
	slab    []byte // where a transient event's bytes are copied, many events per allocation
	bytes   int    // bytes of event data in queue (see MaxBytes)
	dropped int
	closed  bool
}

// Events returns the channel that carries the events. It is closed after
// Close, or after the hub closes and every queued event has been delivered.
// It is nil for a subscription made with Batches.
func (s *Subscription) Events() <-chan Event { return s.out }

// Batches returns the channel that carries the events of a subscription
// made with Batches, in order, a slice at a time; closed as Events is.
func (s *Subscription) Batches() <-chan []Event { return s.batches }

// Close stops delivery and releases the queue. Safe to call more than once.
func (s *Subscription) Close() {
	s.hub.remove(s)
	s.mu.Lock()
	s.closed = true
	s.queue = nil
	s.cond.Broadcast()
	s.mu.Unlock()
	// Drain so a pump blocked on a send can finish and close the channel.
	if s.batches != nil {
		for range s.batches {
		}
		return
	}
	for range s.out {
	}
}

// pushBatch is called by the hub under its lock; it never blocks. A transient
// event's Data belongs to the publisher and is reused after publishing, so
// the subscription keeps a copy of it.
func (s *Subscription) pushBatch(events []Event, transient bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	for _, e := range events {
		if s.opts.Session != "" && s.opts.Session != e.Session {
			continue
		}
		if !s.opts.Lossless && (len(s.queue) >= s.opts.Buffer || s.opts.MaxBytes > 0 && s.bytes+len(e.Data) > s.opts.MaxBytes) {
			s.dropped++
			continue
		}
		s.bytes += len(e.Data)
		if transient {
			e.Data = s.keep(e.Data)
		}
		if s.dropped > 0 {
			s.queue = append(s.queue, Event{Kind: Dropped, Dir: Meta, N: s.dropped, Seq: e.Seq, Time: e.Time})
			s.dropped = 0
		}
		s.queue = append(s.queue, e)
	}
	if s.waiting && len(s.queue) > 0 {
		s.waiting = false
		s.cond.Signal()
	}
}

// slabSize is the allocation that small transient events share: one
// allocation per few hundred protocol lines instead of one per line.
const slabSize = 32 * 1024

// keep copies b into the subscription's slab. The copy's capacity ends
// where its bytes end, so a reader appending to it cannot overwrite the
// next event's bytes.
func (s *Subscription) keep(b []byte) []byte {
	if b == nil {
		return nil
	}
	if len(b) > slabSize/4 {
		return append([]byte(nil), b...)
	}
	if cap(s.slab)-len(s.slab) < len(b) {
		s.slab = make([]byte, 0, slabSize)
	}
	start := len(s.slab)
	s.slab = append(s.slab, b...)
	return s.slab[start:len(s.slab):len(s.slab)]
}

// finish marks the end of the stream: the pump delivers what is queued, then closes.
func (s *Subscription) finish() {
	s.mu.Lock()
	if s.dropped > 0 && !s.closed {
		s.queue = append(s.queue, Event{Kind: Dropped, Dir: Meta, N: s.dropped})
		s.dropped = 0
	}
	s.closed = true
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *Subscription) pump() {
	if s.batches != nil {
		defer close(s.batches)
	} else {
		defer close(s.out)
	}
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.waiting = true
			s.cond.Wait()
		}
		if len(s.queue) == 0 {
			s.mu.Unlock()
			return
		}
		batch := s.queue
		s.queue, s.bytes = nil, 0
		s.mu.Unlock()
		if s.batches != nil {
			s.batches <- batch
			continue
		}
		for _, e := range batch {
			s.out <- e
		}
	}
}

// Hub fans events out to subscribers and numbers them in one global order.
// Publish never blocks on a slow subscriber.
type Hub struct {
	mu     sync.Mutex
	seq    uint64
	subs   map[*Subscription]struct{}
	closed bool
	active atomic.Int32 // len(subs), readable without the lock
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: make(map[*Subscription]struct{})} }

// Subscribe starts a new subscription; it sees events published from now on.
func (h *Hub) Subscribe(opts SubscribeOptions) *Subscription {
	if opts.Buffer <= 0 {
		opts.Buffer = 4096
	}
	s := &Subscription{hub: h, opts: opts}
	if opts.Batches {
		s.batches = make(chan []Event, 1)
	} else {
		s.out = make(chan Event, 64)
	}
	s.cond = sync.NewCond(&s.mu)
	h.mu.Lock()
	if h.closed {
		s.closed = true
	} else {
		h.subs[s] = struct{}{}
		h.active.Store(int32(len(h.subs)))
	}
	h.mu.Unlock()
	go s.pump()
	return s
}

// Publish stamps the event with the next sequence number and queues it for
// every subscriber. It returns the stamped event.
func (h *Hub) Publish(e Event) Event { return h.publish(e, false) }

// PublishTransient is Publish for an event whose Data is only valid during
// the call (a relay's reused read buffer): the bytes are copied once, and
// only if some subscriber keeps the event, so a full lossy subscriber costs
// a counter, not a copy.
func (h *Hub) PublishTransient(e Event) Event { return h.publish(e, true) }

func (h *Hub) publish(e Event, transient bool) Event {
	one := [1]Event{e}
	h.publishBatch(one[:], transient)
	return one[0]
}

// PublishTransientBatch publishes events in order, as PublishTransient
// would one by one, under one lock: a relay hands over all the lines of
// one read together. It sets each event's Seq.
func (h *Hub) PublishTransientBatch(events []Event) { h.publishBatch(events, true) }

func (h *Hub) publishBatch(events []Event, transient bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range events {
		h.seq++
		events[i].Seq = h.seq
	}
	if h.closed {
		return
	}
	for s := range h.subs {
		s.pushBatch(events, transient)
	}
}

// Active reports whether anyone is subscribed; publishers may skip the
// work of building events nobody will read.
func (h *Hub) Active() bool { return h.active.Load() > 0 }

// LastSeq returns the sequence number of the last event published.
func (h *Hub) LastSeq() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// Close ends every subscription once its queued events are delivered.
func (h *Hub) Close() {
	h.mu.Lock()
	subs := h.subs
	h.subs = map[*Subscription]struct{}{}
	h.closed = true
	h.active.Store(0)
	h.mu.Unlock()
	for s := range subs {
		s.finish()
	}
}

func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	delete(h.subs, s)
	h.active.Store(int32(len(h.subs)))
	h.mu.Unlock()
}
