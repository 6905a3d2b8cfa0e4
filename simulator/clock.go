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
}

func newClock(start time.Time) *Clock {
	if start.IsZero() {
		return &Clock{}
	}
	return &Clock{manual: true, now: start}
}

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
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Manual reports whether the clock only moves when advanced.
func (c *Clock) Manual() bool { return c.manual }
