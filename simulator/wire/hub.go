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
}

// Subscription is one subscriber's stream of events, in publishing order.
type Subscription struct {
	hub     *Hub
	opts    SubscribeOptions
	out     chan Event
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []Event
	dropped int
	closed  bool
}

// Events returns the channel that carries the events. It is closed after
// Close, or after the hub closes and every queued event has been delivered.
func (s *Subscription) Events() <-chan Event { return s.out }

// Close stops delivery and releases the queue. Safe to call more than once.
func (s *Subscription) Close() {
	s.hub.remove(s)
	s.mu.Lock()
	s.closed = true
	s.queue = nil
	s.cond.Broadcast()
	s.mu.Unlock()
	// Drain so a pump blocked on a send can finish and close the channel.
	for range s.out {
	}
}

// push is called by the hub under its lock; it never blocks. copyData,
// when set, makes the event's Data the subscriber's own before it is kept
// (called at most once per event, for the first subscriber that keeps it).
func (s *Subscription) push(e Event, copyData func() []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if !s.opts.Lossless && len(s.queue) >= s.opts.Buffer {
		s.dropped++
		return
	}
	if copyData != nil {
		e.Data = copyData()
	}
	if s.dropped > 0 {
		s.queue = append(s.queue, Event{Kind: Dropped, Dir: Meta, N: s.dropped, Seq: e.Seq, Time: e.Time})
		s.dropped = 0
	}
	s.queue = append(s.queue, e)
	s.cond.Signal()
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
	defer close(s.out)
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		if len(s.queue) == 0 {
			s.mu.Unlock()
			return
		}
		batch := s.queue
		s.queue = nil
		s.mu.Unlock()
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
	s := &Subscription{hub: h, opts: opts, out: make(chan Event, 64)}
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
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	e.Seq = h.seq
	if h.closed {
		return e
	}
	var copyData func() []byte
	if transient {
		var owned []byte
		copyData = func() []byte {
			if owned == nil {
				owned = append([]byte{}, e.Data...)
			}
			return owned
		}
	}
	for s := range h.subs {
		if s.opts.Session != "" && s.opts.Session != e.Session {
			continue
		}
		s.push(e, copyData)
	}
	return e
}

// Active reports whether anyone is subscribed; publishers may skip the
// work of building events nobody will read.
func (h *Hub) Active() bool { return h.active.Load() > 0 }

// Pending returns how many events wait for the subscriber to read them.
func (s *Subscription) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) + len(s.out)
}

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
