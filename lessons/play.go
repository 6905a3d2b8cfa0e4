package lessons

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// PlayOptions tune how solutions are played.
type PlayOptions struct {
	// Timeout bounds each wait for the server; 0 means 15 seconds (the slow
	// fault delays every line by a second).
	Timeout time.Duration
	// Pace is a pause before each send, so a class can follow; 0 means none.
	Pace time.Duration
	// OnLine, when set, is called with every recorded line, in order, from
	// the goroutine calling PlaySends (Auto prints them).
	OnLine func(transcripts.Line)
}

// watcher collects the recorder's lines while a solution plays.
type watcher struct {
	mu     sync.Mutex
	lines  []transcripts.Line
	signal chan struct{} // poked (without blocking) when a line arrives
	cancel func()
	shown  int // lines already handed to OnLine
}

func (r *Run) newWatcher() *watcher {
	w := &watcher{signal: make(chan struct{}, 1)}
	// Follow hands over the lines so far and every later one, with none
	// missed in between.
	var sofar []transcripts.Line
	sofar, w.cancel = r.rec.Follow(func(l transcripts.Line) {
		w.mu.Lock()
		w.lines = append(w.lines, l)
		w.mu.Unlock()
		select {
		case w.signal <- struct{}{}:
		default:
		}
	})
	w.mu.Lock()
	w.lines = append(sofar, w.lines...)
	// Lines an earlier play already handed to OnLine are not shown twice;
	// lines that came between two plays (a relay hop finishing) are.
	for w.shown < len(sofar) && sofar[w.shown].Seq <= r.shownSeq {
		w.shown++
	}
	w.mu.Unlock()
	return w
}

func (w *watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.lines)
}

// waitFor waits until a line after index from satisfies match, handing
// every new line to onLine on the way.
func (w *watcher) waitFor(ctx context.Context, from int, timeout time.Duration, onLine func(transcripts.Line), match func(transcripts.Line) (bool, error)) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	next := from
	for {
		w.mu.Lock()
		batch := append([]transcripts.Line(nil), w.lines[w.shown:]...)
		base := w.shown
		w.shown = len(w.lines)
		w.mu.Unlock()
		for k, l := range batch {
			if onLine != nil {
				onLine(l)
			}
			if base+k < next {
				continue
			}
			next = base + k + 1
			if ok, err := match(l); ok || err != nil {
				// Keep the lines after this one for the next wait.
				w.mu.Lock()
				w.shown = base + k + 1
				w.mu.Unlock()
				return err
			}
		}
		select {
		case <-w.signal:
		case <-timer.C:
			return fmt.Errorf("nothing came after %s", timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// flush hands the lines not shown yet to onLine.
func (w *watcher) flush(onLine func(transcripts.Line)) {
	w.mu.Lock()
	batch := append([]transcripts.Line(nil), w.lines[w.shown:]...)
	w.shown = len(w.lines)
	w.mu.Unlock()
	if onLine != nil {
		for _, l := range batch {
			onLine(l)
		}
	}
}

// PlaySends performs sends (a step's solution, or any list) on the run's
// sessions, waiting after each as it says, then checks the goals. It
// returns the first failure: a session that is not open, a server that did
// not answer in time, a server that hung up unexpectedly.
func (r *Run) PlaySends(ctx context.Context, sends []Send, opts PlayOptions) error {
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	w := r.newWatcher()
	defer w.cancel()
	if opts.OnLine != nil {
		show := opts.OnLine
		opts.OnLine = func(l transcripts.Line) {
			if l.Seq > r.shownSeq {
				r.shownSeq = l.Seq
				show(l)
			}
		}
	}
	defer w.flush(opts.OnLine)
	for _, s := range sends {
		if opts.Pace > 0 {
			select {
			case <-time.After(opts.Pace):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := r.playOne(ctx, w, s, opts); err != nil {
			return fmt.Errorf("%s: %w", describeSends([]Send{s}), err)
		}
	}
	r.rec.Sync()
	w.flush(opts.OnLine)
	r.settle(ctx)
	return nil
}

// settle checks the goals, and while the active step is not done keeps
// checking as the world changes, until it has been quiet for a moment.
// Servers finish some work just after the wire shows it (a POP3 server
// forgets its deletion marks once it notices the connection has gone), and
// the TUI, which checks at every change, would see the goal met. Lines
// count as changes too: another session may be told a moment later (an IMAP
// server pushing "* 1 FETCH" to an idling client).
func (r *Run) settle(ctx context.Context) {
	// Long enough for a busy machine: a goal met after the quiet time is
	// reported as missed (seen once in lessons check with 100 ms). Only a
	// step whose goal is not met waits it out; a met one returns at once.
	const quiet = 300 * time.Millisecond
	changed := make(chan struct{}, 1)
	cancel := r.sim.Watch(func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	defer cancel()
	cancelLines := r.rec.Watch(func(transcripts.Line) {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	defer cancelLines()
	r.mu.Lock()
	start := r.current
	r.mu.Unlock()
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		r.check()
		stop := r.current != start || r.finished() || r.lesson.Steps[r.current].Kind != Live
		r.mu.Unlock()
		if stop {
			return
		}
		t := time.NewTimer(quiet)
		select {
		case <-changed:
			t.Stop()
		case <-t.C:
			return
		case <-deadline.C:
			t.Stop()
			return
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

func (r *Run) playOne(ctx context.Context, w *watcher, s Send, opts PlayOptions) error {
	switch s.Action {
	case "open":
		from := w.count()
		r.mu.Lock()
		err := r.open(s.Session)
		var id wire.SessionID
		if err == nil {
			id = r.conns[s.Session].Session()
		}
		r.mu.Unlock()
		if err != nil {
			return err
		}
		return w.waitFor(ctx, from, opts.Timeout, opts.OnLine, func(l transcripts.Line) (bool, error) {
			return l.Session == id && l.Dir == wire.FromServer && l.Kind == wire.Line, nil
		})
	case "close":
		r.mu.Lock()
		c := r.conns[s.Session]
		delete(r.conns, s.Session)
		r.mu.Unlock()
		if c == nil {
			return fmt.Errorf("session %s is not open", s.Session)
		}
		from := w.count()
		id := c.Session()
		c.Close()
		return w.waitFor(ctx, from, opts.Timeout, opts.OnLine, func(l transcripts.Line) (bool, error) {
			return l.Session == id && l.Kind == wire.Close, nil
		})
	case "starttls":
		c := r.Conn(s.Session)
		if c == nil {
			return fmt.Errorf("session %s is not open", s.Session)
		}
		return c.StartTLS()
	}
	c := r.Conn(s.Session)
	if c == nil {
		return fmt.Errorf("session %s is not open", s.Session)
	}
	id := c.Session()
	if err := r.waitGreeting(ctx, w, id, opts); err != nil {
		return err
	}
	from := w.count()
	if _, err := c.Write([]byte(strings.Join(s.Lines, "\r\n") + "\r\n")); err != nil {
		if s.Wait == WaitClose {
			return nil
		}
		return fmt.Errorf("session %s: %w", s.Session, err)
	}
	wait := s.Wait
	if wait == "" {
		wait = WaitReply
	}
	if wait == WaitNone {
		return nil
	}
	if wait == WaitReply && saysGoodbye(s.Lines) {
		// QUIT and LOGOUT end the session: the server answers, then hangs
		// up. Wait for the connection to end too, so that a later step's
		// open: sees it ended and connects again, however fast the next
		// steps come (lessons check answers questions at once).
		defer func() {
			select {
			case <-c.Done():
			case <-ctx.Done():
			case <-time.After(opts.Timeout):
			}
		}()
	}
	return w.waitFor(ctx, from, opts.Timeout, opts.OnLine, func(l transcripts.Line) (bool, error) {
		if l.Session != id {
			return false, nil
		}
		if l.Kind == wire.Close {
			if wait == WaitClose {
				return true, nil
			}
			return false, fmt.Errorf("the server hung up instead of answering")
		}
		if l.Dir != wire.FromServer || l.Kind != wire.Line {
			return false, nil
		}
		switch wait {
		case WaitContinue:
			return l.Code == "+" || l.Code == "334" || strings.HasPrefix(l.Text, "+ "), nil
		case WaitReply:
			return l.Complete && normVerb(l.Verb) != "GREETING", nil
		}
		return false, nil
	})
}

// saysGoodbye reports whether the last line sent is QUIT (SMTP, POP3) or
// an IMAP LOGOUT, after which the server closes the connection.
func saysGoodbye(lines []string) bool {
	if len(lines) == 0 {
		return false
	}
	f := strings.Fields(lines[len(lines)-1])
	switch {
	case len(f) == 1:
		return strings.EqualFold(f[0], "QUIT")
	case len(f) == 2:
		return strings.EqualFold(f[1], "LOGOUT")
	}
	return false
}

// waitGreeting makes sure the server has greeted a session before the player
// speaks, so that the greeting is never taken for the reply to a command.
func (r *Run) waitGreeting(ctx context.Context, w *watcher, id wire.SessionID, opts PlayOptions) error {
	greeted := func(l transcripts.Line) bool {
		return l.Session == id && (l.Dir == wire.FromServer && l.Kind == wire.Line || l.Kind == wire.Close)
	}
	w.mu.Lock()
	seen := append([]transcripts.Line(nil), w.lines[:w.shown]...)
	w.mu.Unlock()
	for _, l := range seen {
		if greeted(l) {
			return nil
		}
	}
	return w.waitFor(ctx, 0, opts.Timeout, opts.OnLine, func(l transcripts.Line) (bool, error) { return greeted(l), nil })
}

// FastForward replays the solutions of the steps before i (answering
// questions rightly) so that the world is where the learner left it, then
// leaves step i active. For resuming saved progress.
func (r *Run) FastForward(ctx context.Context, i int, opts PlayOptions) error {
	for {
		r.mu.Lock()
		at := r.current
		if at >= i || r.finished() {
			r.mu.Unlock()
			return nil
		}
		st := r.lesson.Steps[at]
		switch st.Kind {
		case Question:
			r.answer(st.Answer)
		case Read:
			r.next()
		}
		r.mu.Unlock()
		if st.Kind == Live {
			if err := r.PlaySends(ctx, st.Solution, opts); err != nil {
				return fmt.Errorf("step %d (%s): %w", at+1, st.Title, err)
			}
			if r.Current() == at {
				return fmt.Errorf("step %d (%s): the solution did not meet the goal", at+1, st.Title)
			}
		}
	}
}
