package transcripts

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// publisher is a wire.Hub with the LastSeq the simulator is asked to offer.
type publisher struct {
	*wire.Hub
	last atomic.Uint64
}

func (p *publisher) publish(e wire.Event) {
	p.last.Store(p.Hub.Publish(e).Seq)
}

// interleave merges sessions' events round-robin, as concurrent
// connections would reach the hub.
func interleave(sessions ...[]wire.Event) []wire.Event {
	var out []wire.Event
	for i := 0; ; i++ {
		any := false
		for _, s := range sessions {
			if i < len(s) {
				out = append(out, s[i])
				any = true
			}
		}
		if !any {
			return out
		}
	}
}

func withSession(id wire.SessionID, evs []wire.Event) []wire.Event {
	out := make([]wire.Event, len(evs))
	for i, e := range evs {
		e.Session = id
		out[i] = e
	}
	return out
}

func TestRecorderAnnotatesEachSessionInOrder(t *testing.T) {
	p := &publisher{Hub: wire.NewHub()}
	r := NewRecorder(p, RecorderOptions{LastSeq: p.last.Load, Title: "mixed"})
	defer r.Close()

	var mu sync.Mutex
	var watched []uint64
	cancel := r.Watch(func(l Line) {
		mu.Lock()
		watched = append(watched, l.Seq)
		mu.Unlock()
	})
	smtp := withSession("s1", smtpSubmission())
	pop := withSession("s2", pop3Session())
	imap := withSession("s3", imapSession())
	all := interleave(smtp, pop, imap)
	for _, e := range all {
		p.publish(e)
	}
	r.Sync()

	lines := r.Lines()
	if len(lines) != len(all) {
		t.Fatalf("recorded %d lines, published %d", len(lines), len(all))
	}
	for i, l := range lines {
		if l.Seq != uint64(i+1) {
			t.Fatalf("line %d has seq %d", i, l.Seq)
		}
		if l.Unknown {
			t.Errorf("unknown line %q in session %s", l.Text, l.Session)
		}
	}
	// Each session was annotated with its own context despite interleaving.
	want := annotateAll(wire.POP3, AnnotateOptions{}, pop)
	got := r.Session("s2")
	if len(got) != len(want) {
		t.Fatalf("session s2: %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Note != want[i].Note || got[i].State != want[i].State {
			t.Errorf("s2 line %d: note %q, want %q", i, got[i].Note, want[i].Note)
		}
	}
	tr := r.Transcript()
	if len(tr.Sessions) != 3 || tr.Sessions[0].ID != "s1" || tr.Sessions[1].Proto != wire.POP3 || tr.Sessions[2].Closed.IsZero() || tr.Title != "mixed" {
		t.Errorf("sessions %+v", tr.Sessions)
	}
	mu.Lock()
	n := len(watched)
	for i, s := range watched {
		if s != uint64(i+1) {
			t.Fatalf("watcher saw seq %d at %d", s, i)
		}
	}
	mu.Unlock()
	if n != len(all) {
		t.Fatalf("watcher saw %d lines", n)
	}
	cancel()
	p.publish(wire.Event{Session: "s4", Proto: wire.SMTP, Dir: wire.Meta, Kind: wire.Open})
	r.Sync()
	mu.Lock()
	if len(watched) != n {
		t.Errorf("watcher called after cancel")
	}
	mu.Unlock()
}

func TestRecorderFollowMissesNothing(t *testing.T) {
	p := &publisher{Hub: wire.NewHub()}
	r := NewRecorder(p, RecorderOptions{LastSeq: p.last.Load})
	defer r.Close()
	evs := withSession("s1", smtpSubmission())
	half := len(evs) / 2
	for _, e := range evs[:half] {
		p.publish(e)
	}
	var mu sync.Mutex
	var seen []uint64
	sofar, cancel := r.Follow(func(l Line) {
		mu.Lock()
		seen = append(seen, l.Seq)
		mu.Unlock()
	})
	defer cancel()
	for _, e := range evs[half:] {
		p.publish(e)
	}
	r.Sync()
	mu.Lock()
	defer mu.Unlock()
	all := len(sofar) + len(seen)
	if all != len(evs) {
		t.Fatalf("sofar %d + watched %d != %d", len(sofar), len(seen), len(evs))
	}
	if len(seen) > 0 && len(sofar) > 0 && seen[0] != sofar[len(sofar)-1].Seq+1 {
		t.Fatalf("gap or overlap: sofar ends %d, watch starts %d", sofar[len(sofar)-1].Seq, seen[0])
	}
}

func TestRecorderSyncReturnsAfterHubCloses(t *testing.T) {
	p := &publisher{Hub: wire.NewHub()}
	r := NewRecorder(p, RecorderOptions{LastSeq: func() uint64 { return 1 << 60 }})
	p.Close()
	r.Sync() // must not hang: the subscription ended
	r.Close()
	r2 := NewRecorder(struct{ wire.Source }{p}, RecorderOptions{})
	r2.Sync() // no LastSeq anywhere: returns at once
	r2.Close()
}

func TestRecorderUsesTheSourcesLastSeq(t *testing.T) {
	hub := wire.NewHub()
	r := NewRecorder(hub, RecorderOptions{}) // *wire.Hub has LastSeq
	defer r.Close()
	evs := withSession("s1", imapSession())
	for _, e := range evs {
		hub.Publish(e)
	}
	r.Sync()
	if got := len(r.Lines()); got != len(evs) {
		t.Fatalf("after Sync %d lines, want %d", got, len(evs))
	}
}

// MaxLines: the oldest lines go, watchers still get every one, and a
// session's lines are those still kept.
func TestRecorderKeepsAtMostMaxLines(t *testing.T) {
	p := &publisher{Hub: wire.NewHub()}
	r := NewRecorder(p, RecorderOptions{LastSeq: p.last.Load, MaxLines: 8})
	defer r.Close()
	var watched atomic.Int64
	cancel := r.Watch(func(Line) { watched.Add(1) })
	defer cancel()
	evs := interleave(withSession("s1", smtpSubmission()), withSession("s2", smtpSubmission()))
	for _, e := range evs {
		p.publish(e)
	}
	r.Sync()
	lines := r.Lines()
	if len(lines) > 8 || len(lines) == 0 {
		t.Fatalf("%d lines kept, want 1-8", len(lines))
	}
	if got := int(watched.Load()); got != len(evs) {
		t.Errorf("watchers got %d lines, want all %d", got, len(evs))
	}
	if r.Dropped()+len(lines) != len(evs) {
		t.Errorf("dropped %d + kept %d != %d", r.Dropped(), len(lines), len(evs))
	}
	if last := lines[len(lines)-1]; last.Seq != p.last.Load() {
		t.Errorf("the newest line kept is #%d, want #%d", last.Seq, p.last.Load())
	}
	kept := 0
	for _, id := range []wire.SessionID{"s1", "s2"} {
		for _, l := range r.Session(id) {
			if l.Session != id {
				t.Errorf("Session(%s) gave a line of %s", id, l.Session)
			}
			kept++
		}
	}
	if kept != len(lines) {
		t.Errorf("sessions hold %d lines, Lines %d", kept, len(lines))
	}
}

// A long watch: far more lines than MaxLines, across many of the store's
// chunks. The lines kept are the newest, in order, each session's lines
// are its own, and the sessions that ended with no line left are gone
// from the transcript (a world watched for days keeps its memory).
func TestRecorderLongWatchKeepsTheNewest(t *testing.T) {
	p := &publisher{Hub: wire.NewHub()}
	const max = 3 * storeChunk
	r := NewRecorder(p, RecorderOptions{LastSeq: p.last.Load, MaxLines: max})
	defer r.Close()
	sessions := 0
	for sent := 0; sent < 5*max; sessions++ {
		evs := withSession(wire.SessionID(fmt.Sprintf("s%d", sessions)), smtpSubmission())
		for _, e := range evs {
			p.publish(e)
		}
		sent += len(evs)
	}
	r.Sync()
	lines := r.Lines()
	if len(lines) > max || len(lines) < max*3/4 {
		t.Fatalf("%d lines kept, want %d-%d", len(lines), max*3/4, max)
	}
	for i := 1; i < len(lines); i++ {
		if lines[i].Seq != lines[i-1].Seq+1 {
			t.Fatalf("line %d is #%d after #%d: the lines kept are not the newest in order", i, lines[i].Seq, lines[i-1].Seq)
		}
	}
	if last := lines[len(lines)-1].Seq; last != p.last.Load() {
		t.Fatalf("the newest line kept is #%d, want #%d", last, p.last.Load())
	}
	tr := r.Transcript()
	if len(tr.Lines) != len(lines) {
		t.Errorf("the transcript holds %d lines, Lines %d", len(tr.Lines), len(lines))
	}
	kept := 0
	for _, si := range tr.Sessions {
		got := r.Session(si.ID)
		if len(got) == 0 {
			t.Errorf("session %s is listed with no line kept", si.ID)
		}
		for _, l := range got {
			if l.Session != si.ID {
				t.Fatalf("Session(%s) gave a line of %s", si.ID, l.Session)
			}
		}
		kept += len(got)
	}
	if kept != len(lines) {
		t.Errorf("the sessions listed hold %d lines, Lines %d", kept, len(lines))
	}
	if len(tr.Sessions) >= sessions/2 {
		t.Errorf("%d of %d sessions still listed: the ended ones without lines should go", len(tr.Sessions), sessions)
	}
}
