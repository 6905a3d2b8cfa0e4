package simulator

import (
	"sync"
	"time"
)

// Clock is the simulator's time. A real clock follows the wall clock; a
// manual clock (Options.Start) stands still until advanced, so lessons and
// tests see the same dates on every run.
type Clock struct {
	mu     sync.Mutex
	manual bool
	now    time.Time
	stop   chan struct{} // closed by stopSleeping: Sleep returns at once
	once   sync.Once
	// advanced runs after a manual clock moves (the simulator expires its
	// outbound queue then); nil for none.
	advanced func()
}

// setAdvanced sets what runs after a manual clock moves.
func (c *Clock) setAdvanced(fn func()) {
	c.mu.Lock()
	c.advanced = fn
	c.mu.Unlock()
}

func newClock(start time.Time) *Clock {
	if start.IsZero() {
		return &Clock{stop: make(chan struct{})}
	}
	return &Clock{manual: true, now: start, stop: make(chan struct{})}
}

// Sleep waits d on the clock; the servers wait so before answering a failed
// login (store.FailedLoginDelay). A real clock waits, and returns early once
// the simulator closes; a manual clock moves forward by d at once, so that
// runs repeat and tests never sleep.
func (c *Clock) Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	if c.Manual() {
		c.Advance(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.stop:
	}
}

// stopSleeping ends every Sleep, now and later (the simulator closes).
func (c *Clock) stopSleeping() { c.once.Do(func() { close(c.stop) }) }

// Now returns the current simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.manual {
		return time.Now()
	}
	return c.now
}

// Advance moves a manual clock forward; it has no effect on a real clock.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	if !c.manual {
		c.mu.Unlock()
		return
	}
	c.now = c.now.Add(d)
	fn := c.advanced
	c.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// Manual reports whether the clock only moves when advanced.
func (c *Clock) Manual() bool { return c.manual }
