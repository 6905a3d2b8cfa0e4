package tui

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/findings"
)

// watchSource is what the watch screen needs of a world beyond world: the
// wire events the findings are worked out from, what the set-up card
// tells, and the trainer's faults. liveWorld has all of it; a world
// without it is watched without findings, card or faults.
type watchSource interface {
	// Subscribe delivers the world's wire events (the findings' input).
	Subscribe(o wire.SubscribeOptions) *wire.Subscription
	// SetupInfo is what the set-up card tells (addresses, users, passwords,
	// the certificate).
	SetupInfo() simulator.SetupInfo
	// ActiveFaults lists the faults switched on.
	ActiveFaults() []fault.Name
	// SetFault switches a fault on or off; the next reply shows it.
	SetFault(n fault.Name, on bool)
	// LastSeq is the Seq of the newest event published so far.
	LastSeq() uint64
	// HoldRelays pauses the programs' connections for d: the screen
	// answers a key first (see keyHold).
	HoldRelays(d time.Duration)
}

func (w *liveWorld) Subscribe(o wire.SubscribeOptions) *wire.Subscription { return w.sim.Subscribe(o) }
func (w *liveWorld) SetupInfo() simulator.SetupInfo                       { return w.sim.SetupInfo() }
func (w *liveWorld) ActiveFaults() []fault.Name                           { return w.sim.Faults().Active() }
func (w *liveWorld) SetFault(n fault.Name, on bool)                       { w.sim.SetFault(n, on) }
func (w *liveWorld) LastSeq() uint64                                      { return w.sim.LastSeq() }
func (w *liveWorld) HoldRelays(d time.Duration)                           { w.sim.HoldRelays(d) }

// findingsSnapshot is what the findings say at one moment: every program
// and which program each session belongs to. The screen only reads it.
type findingsSnapshot struct {
	programs  []findings.Program
	bySession map[wire.SessionID]int // index into programs
	missed    int                    // events the analyzer never saw
}

// programOf is the program a session belongs to, if known yet.
func (s *findingsSnapshot) programOf(id wire.SessionID) (findings.Program, bool) {
	if s == nil {
		return findings.Program{}, false
	}
	i, ok := s.bySession[id]
	if !ok {
		return findings.Program{}, false
	}
	return s.programs[i], true
}

// Messages from the feed, through its own inbox.
type (
	findingsMsg struct{ snap *findingsSnapshot }
	exportedMsg struct {
		path string // the Markdown file; the HTML beside it
		err  error
	}
)

// exportRequest asks the feed (the analyzer's owner) to write one
// program's sessions and findings.
type exportRequest struct {
	key   string            // the program's Key
	dir   string            // where
	notes map[uint64]string // each line's explanation, by Seq, from the screen
}

const (
	// feedEvery is how often new findings are worked out while events
	// arrive: four times a second reads as live, and leaves the cores to
	// the mail servers and the screen.
	feedEvery = 250 * time.Millisecond
	// feedShare bounds the share of one core the findings take: after
	// working them out for d, the feed waits at least d/feedShare.
	feedShare = 0.2
	// feedBuffer bounds the events waiting for the analyzer. Past it
	// events are counted as missed (the snapshot says how many), never
	// waited for: a connection must never slow down for the findings.
	feedBuffer = 1 << 16
)

// findingsFeed owns a findings.Analyzer on a goroutine of its own: it
// reads the world's events, works out the findings at most every
// feedEvery, and hands the screen snapshots through an inbox, so neither
// the analyzer nor a slow rule ever runs inside Update or View.
type findingsFeed struct {
	box     *inbox
	sub     *wire.Subscription
	exports chan exportRequest
	stopped chan struct{}
	// since is the newest event before the feed began: sessions that
	// began by then have no findings (the analyzer never saw their start).
	since uint64
}

func newFindingsFeed(src watchSource) *findingsFeed {
	f := &findingsFeed{box: newInbox(), exports: make(chan exportRequest, 4), stopped: make(chan struct{})}
	f.sub = src.Subscribe(wire.SubscribeOptions{Batches: true, Buffer: feedBuffer, MaxBytes: 64 << 20})
	f.since = src.LastSeq() // at worst a session opened in between is missed, and said so
	a := findings.New(findings.Options{Fingerprint: simulator.Fingerprint(src.SetupInfo().Certificate)})
	go f.run(a)
	return f
}

// run feeds the analyzer until the subscription or the feed ends.
func (f *findingsFeed) run(a *findings.Analyzer) {
	tick := time.NewTicker(feedEvery)
	defer tick.Stop()
	dirty := false
	var next time.Time // not before: the duty cycle
	for {
		select {
		case batch, ok := <-f.sub.Batches():
			if !ok {
				return
			}
			for _, e := range batch {
				a.Add(e)
			}
			dirty = true
		case now := <-tick.C:
			if !dirty || now.Before(next) {
				continue
			}
			dirty = false
			began := time.Now()
			snap := snapshotOf(a)
			next = began.Add(time.Duration(float64(time.Since(began)) / feedShare))
			f.box.push(findingsMsg{snap})
		case req := <-f.exports:
			f.box.push(export(a, req))
		case <-f.stopped:
			return
		}
	}
}

func snapshotOf(a *findings.Analyzer) *findingsSnapshot {
	s := &findingsSnapshot{programs: a.Programs(), bySession: map[wire.SessionID]int{}, missed: a.Missed()}
	for i, p := range s.programs {
		for _, id := range p.Sessions {
			s.bySession[id] = i
		}
	}
	return s
}

// export writes the program's Markdown and HTML into req.dir.
func export(a *findings.Analyzer, req exportRequest) exportedMsg {
	for _, p := range a.Programs() {
		if p.Key() != req.key {
			continue
		}
		if err := os.MkdirAll(req.dir, 0o700); err != nil {
			return exportedMsg{err: err}
		}
		opts := findings.ExportOptions{Note: func(l findings.Line) string { return req.notes[l.Seq] }, Now: time.Now()}
		base := filepath.Join(req.dir, p.FileName())
		if err := os.WriteFile(base+".md", []byte(a.Markdown(p, opts)), 0o600); err != nil {
			return exportedMsg{err: err}
		}
		if err := os.WriteFile(base+".html", []byte(a.HTML(p, opts)), 0o600); err != nil {
			return exportedMsg{err: err}
		}
		return exportedMsg{path: base + ".md"}
	}
	return exportedMsg{err: errors.New("the program is not known any more (forgotten: too many sessions since)")}
}

// requestExport hands an export to the feed without waiting for it.
func (f *findingsFeed) requestExport(req exportRequest) tea.Cmd {
	return func() tea.Msg {
		select {
		case f.exports <- req:
		case <-f.stopped:
		}
		return nil
	}
}

// stop ends the feed and its subscription.
func (f *findingsFeed) stop() {
	select {
	case <-f.stopped:
		return
	default:
	}
	close(f.stopped)
	f.sub.Close()
	f.box.stop()
}
