package tap

import (
	"sync"
	"sync/atomic"
	"time"
)

// A Hold lets someone more urgent than the mail servers have the cores for
// a moment: while it is held, the relays sharing it accept no connection,
// pass no client bytes to the servers and no server bytes to the clients.
// The watch screen holds it while it answers a key, so that programs
// flooding the world cannot make the trainer's screen lag behind their
// fingers. Bytes are only delayed, never lost; a zero Hold is ready to use.
type Hold struct {
	held  atomic.Bool // the fast path: nobody holds it
	mu    sync.Mutex
	until time.Time     // when the hold ends by itself
	free  chan struct{} // closed when the hold ends
	timer *time.Timer   // ends it at until
}

// For holds the relays for d from now (extending a hold that would end
// sooner). A hold never outlasts d after the last call: a caller that
// stops calling cannot stop the world.
func (h *Hold) For(d time.Duration) {
	if d <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	until := time.Now().Add(d)
	if h.held.Load() {
		if until.After(h.until) {
			h.until = until
		}
		return
	}
	h.free, h.until = make(chan struct{}), until
	h.held.Store(true)
	if h.timer == nil {
		h.timer = time.AfterFunc(d, h.expire)
	} else {
		h.timer.Reset(d)
	}
}

// Release ends the hold at once.
func (h *Hold) Release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.letGo()
}

// expire ends the hold, unless it was extended meanwhile.
func (h *Hold) expire() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if left := time.Until(h.until); left > 0 {
		h.timer.Reset(left)
		return
	}
	h.letGo()
}

// letGo ends the hold; called with mu held.
func (h *Hold) letGo() {
	if h.held.Load() {
		h.held.Store(false)
		close(h.free)
	}
}

// Wait returns once nobody holds the relays, or when stop closes. When
// nobody does, it costs one atomic load.
func (h *Hold) Wait(stop <-chan struct{}) {
	if h == nil || !h.held.Load() {
		return
	}
	h.mu.Lock()
	free := h.free
	held := h.held.Load()
	h.mu.Unlock()
	if !held {
		return
	}
	select {
	case <-free:
	case <-stop:
	}
}
