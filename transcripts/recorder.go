package transcripts

import (
	"sync"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// RecorderOptions configures a Recorder.
type RecorderOptions struct {
	// LastSeq returns the Seq of the newest event the source has published
	// (0 when none). Sync waits until the recorder has annotated that event.
	// nil means the source's own LastSeq method when it has one
	// (*simulator.Simulator and *wire.Hub do); a source without one makes
	// Sync return at once, promising nothing.
	LastSeq func() uint64
	// Annotate is passed to every session's annotator.
	Annotate AnnotateOptions
	// Title names the transcript ("Lesson 3: your first email").
	Title string
	// Now is the clock for Transcript.Created; nil means time.Now.
	Now func() time.Time
	// MaxLines bounds the lines kept for Lines, Session, Follow and
	// Transcript: past it the oldest quarter goes (Dropped counts them),
	// so a world watched for days keeps its memory. Watchers still get
	// every line. 0 keeps everything.
	MaxLines int
}

// Recorder subscribes losslessly to a wire.Source and annotates every event
// with a per-session annotator, in order. It is the one place annotation
// happens: the TUI, the saved transcript and the lesson checker all read
// its lines. Its methods are safe for concurrent use.
type Recorder struct {
	opts    RecorderOptions
	sub     *wire.Subscription
	created time.Time
	base    uint64        // the source's LastSeq when the subscription began
	stopped chan struct{} // closed when the recording goroutine ends

	mu         sync.Mutex
	changed    *sync.Cond // signalled after every line and at the end
	lines      lineStore
	dropped    int                      // lines let go at the front (MaxLines)
	bySession  map[wire.SessionID][]int // indexes into lines, counted from the first line ever
	sessions   []SessionInfo
	sessionIdx map[wire.SessionID]int
	delivered  uint64 // Seq of the newest event whose watchers have all been called
	done       bool
	watchers   map[int]func(Line)
	nextWatch  int

	// annotators is used only by the recording goroutine.
	annotators *Annotators
}

// NewRecorder starts recording src's events from now on.
func NewRecorder(src wire.Source, opts RecorderOptions) *Recorder {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	r := &Recorder{
		opts:       opts,
		created:    now(),
		stopped:    make(chan struct{}),
		bySession:  map[wire.SessionID][]int{},
		sessionIdx: map[wire.SessionID]int{},
		watchers:   map[int]func(Line){},
		annotators: NewAnnotators(opts.Annotate),
	}
	r.changed = sync.NewCond(&r.mu)
	if r.opts.LastSeq == nil {
		if ls, ok := src.(interface{ LastSeq() uint64 }); ok {
			r.opts.LastSeq = ls.LastSeq
		}
	}
	r.sub = src.Subscribe(wire.SubscribeOptions{Lossless: true})
	// Events up to base may have been published before the subscription
	// began; Sync cannot wait for those.
	if r.opts.LastSeq != nil {
		r.base = r.opts.LastSeq()
	}
	go r.run()
	return r
}

func (r *Recorder) run() {
	defer close(r.stopped)
	for e := range r.sub.Events() {
		r.record(e)
	}
	r.mu.Lock()
	r.done = true
	r.changed.Broadcast()
	r.mu.Unlock()
}

// record annotates one event and hands the line to the watchers.
func (r *Recorder) record(e wire.Event) {
	l := r.annotators.Annotate(e)

	r.mu.Lock()
	if max := r.opts.MaxLines; max > 0 && r.lines.len() >= max {
		r.dropFront(max/4 + 1)
	}
	r.lines.add(l)
	if e.Session != "" {
		r.bySession[e.Session] = append(r.bySession[e.Session], r.dropped+r.lines.len()-1)
		i, ok := r.sessionIdx[e.Session]
		if !ok {
			i = len(r.sessions)
			r.sessionIdx[e.Session] = i
			r.sessions = append(r.sessions, SessionInfo{ID: e.Session, Proto: l.Proto, Role: e.Role, Peer: e.Peer})
		}
		switch e.Kind {
		case wire.Open:
			r.sessions[i].Opened = e.Time
		case wire.Close:
			r.sessions[i].Closed = e.Time
		}
	}
	watchers := make([]func(Line), 0, len(r.watchers))
	for id := 0; id < r.nextWatch; id++ {
		if fn, ok := r.watchers[id]; ok {
			watchers = append(watchers, fn)
		}
	}
	r.changed.Broadcast()
	r.mu.Unlock()

	for _, fn := range watchers {
		fn(l)
	}
	// Sync waits for this too: a caller that returns from Sync must find
	// the line in its own watcher's hands, not only in Lines.
	r.mu.Lock()
	if e.Seq > r.delivered {
		r.delivered = e.Seq
	}
	r.changed.Broadcast()
	r.mu.Unlock()
}

// Watch calls fn with every line annotated from now on, in order, from the
// recorder's goroutine; fn must not block. cancel stops the calls.
func (r *Recorder) Watch(fn func(Line)) (cancel func()) {
	_, cancel = r.Follow(fn)
	return cancel
}

// Follow is Watch that also returns every line recorded so far, taken
// atomically with the registration: no line is missed or seen twice.
func (r *Recorder) Follow(fn func(Line)) (sofar []Line, cancel func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.nextWatch
	r.nextWatch++
	r.watchers[id] = fn
	sofar = r.lines.appendTo(nil)
	return sofar, func() {
		r.mu.Lock()
		delete(r.watchers, id)
		r.mu.Unlock()
	}
}

// Lines returns a copy of every line so far.
func (r *Recorder) Lines() []Line {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lines.appendTo(nil)
}

// Session returns one session's lines.
func (r *Recorder) Session(id wire.SessionID) []Line {
	r.mu.Lock()
	defer r.mu.Unlock()
	idx := r.bySession[id]
	out := make([]Line, 0, len(idx))
	for _, j := range idx {
		if j >= r.dropped {
			out = append(out, r.lines.at(j-r.dropped))
		}
	}
	return out
}

// Dropped is how many of the oldest lines are no longer kept (MaxLines).
func (r *Recorder) Dropped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// dropFront lets the n oldest lines go, and the indexes of sessions that
// have no line left. Called with r.mu held.
func (r *Recorder) dropFront(n int) {
	n = min(n, r.lines.len())
	r.lines.dropFront(n)
	r.dropped += n
	for id, idx := range r.bySession {
		k := 0
		for k < len(idx) && idx[k] < r.dropped {
			k++
		}
		if k == len(idx) {
			delete(r.bySession, id)
		} else if k > 0 {
			r.bySession[id] = append(idx[:0:0], idx[k:]...)
		}
	}
	// Sessions that ended and have no line left go too: a world watched
	// for days would otherwise keep one SessionInfo per connection ever.
	kept := r.sessions[:0]
	for _, si := range r.sessions {
		if _, ok := r.bySession[si.ID]; ok || si.Closed.IsZero() {
			r.sessionIdx[si.ID] = len(kept)
			kept = append(kept, si)
		} else {
			delete(r.sessionIdx, si.ID)
		}
	}
	clear(r.sessions[len(kept):])
	r.sessions = kept
}

// Transcript returns a snapshot of the recording.
func (r *Recorder) Transcript() *Transcript {
	r.mu.Lock()
	defer r.mu.Unlock()
	return &Transcript{
		Version:  FormatVersion,
		Title:    r.opts.Title,
		Created:  r.created,
		Sessions: append([]SessionInfo(nil), r.sessions...),
		Lines:    r.lines.appendTo(nil),
	}
}

// Sync waits until every event the source published before the call has
// been annotated (it asks RecorderOptions.LastSeq where the source is). It
// returns at once when LastSeq is nil, and when the recorder or the source
// has been closed.
func (r *Recorder) Sync() {
	if r.opts.LastSeq == nil {
		return
	}
	target := r.opts.LastSeq()
	if target <= r.base {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.delivered < target && !r.done {
		r.changed.Wait()
	}
}

// Close stops recording. Lines recorded so far stay readable.
func (r *Recorder) Close() {
	r.sub.Close()
	<-r.stopped
}
