package tui

import (
	"errors"
	"io"
	"log"
	"os"
	"sync"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// liveWorld adapts a running simulator and its annotated lines to the
// screens' world interface.
type liveWorld struct {
	sim    *simulator.Simulator
	logOut io.Closer // the log file, if any

	mu       sync.Mutex
	watchers map[int]func(item)
	nextID   int
	sub      *wire.Subscription
	done     chan struct{}
}

// simulatorOptions fills the parts of simulator options the TUI decides:
// where state lives and where logs go (never the terminal).
func simulatorOptions(base simulator.Options, opts Options) (simulator.Options, io.Closer) {
	base.StateDir = opts.StateDir
	var closer io.Closer
	if opts.LogFile != "" {
		if f, err := os.OpenFile(opts.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			base.Logger = log.New(f, "", log.LstdFlags)
			closer = f
		}
	}
	if base.Logger == nil {
		base.Logger = log.New(io.Discard, "", 0)
	}
	return base, closer
}

// startLiveWorld starts the sandbox's simulator with the default world.
func startLiveWorld(opts Options) (world, error) {
	so, closer := simulatorOptions(simulator.Options{}, opts)
	sim, err := simulator.New(so)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, err
	}
	return newLiveWorld(sim, closer), nil
}

func newLiveWorld(sim *simulator.Simulator, logOut io.Closer) *liveWorld {
	w := &liveWorld{sim: sim, logOut: logOut, watchers: map[int]func(item){}, done: make(chan struct{})}
	// One lossless subscription annotated here, one annotator per session,
	// so every screen of this world sees the same lines.
	w.sub = sim.Subscribe(wire.SubscribeOptions{Lossless: true})
	go w.pump()
	return w
}

func (w *liveWorld) pump() {
	defer close(w.done)
	annotators := map[wire.SessionID]*transcripts.Annotator{}
	for e := range w.sub.Events() {
		a := annotators[e.Session]
		if a == nil {
			a = transcripts.NewAnnotator(e.Proto, transcripts.AnnotateOptions{})
			annotators[e.Session] = a
		}
		it := itemFromLine(a.Annotate(e))
		if e.Kind == wire.Close {
			delete(annotators, e.Session)
		}
		w.mu.Lock()
		fns := make([]func(item), 0, len(w.watchers))
		for _, fn := range w.watchers {
			fns = append(fns, fn)
		}
		w.mu.Unlock()
		for _, fn := range fns {
			fn(it)
		}
	}
}

func (w *liveWorld) Roles() []wire.Role         { return w.sim.Roles() }
func (w *liveWorld) Addr(role wire.Role) string { return w.sim.Addr(role) }

func (w *liveWorld) Dial(role wire.Role) (clientConn, error) {
	c, err := w.sim.Dial(role)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (w *liveWorld) WatchLines(fn func(item)) func() {
	w.mu.Lock()
	id := w.nextID
	w.nextID++
	w.watchers[id] = fn
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		delete(w.watchers, id)
		w.mu.Unlock()
	}
}

func (w *liveWorld) OnChange(fn func()) func() { return w.sim.Watch(fn) }

func (w *liveWorld) Mail() mailState { return mailFromSnapshot(w.sim.Snapshot()) }

func (w *liveWorld) SaveTranscript(out io.Writer, sessions []wire.SessionID) error {
	return errors.New("saving transcripts is not available yet")
}

func (w *liveWorld) Close() error {
	err := w.sim.Close()
	<-w.done
	if w.logOut != nil {
		w.logOut.Close()
	}
	return err
}

// mailFromSnapshot keeps what the mailbox pane shows.
func mailFromSnapshot(sn simulator.Snapshot) mailState {
	ms := mailState{Outbound: len(sn.Outbound)}
	for _, u := range sn.Users {
		mu := mailUser{Address: u.Address}
		for _, b := range u.Mailboxes {
			mb := mailBox{Name: b.Name, UIDNext: b.UIDNext}
			for _, m := range b.Messages {
				mb.Messages = append(mb.Messages, mailMessage{UID: m.UID, Flags: m.Flags, Subject: m.Subject, From: m.From,
					Size: m.Size, MarkedDeleted: m.MarkedDeleted})
			}
			mu.Boxes = append(mu.Boxes, mb)
		}
		ms.Users = append(ms.Users, mu)
	}
	return ms
}

// itemFromLine keeps what the screens show of an annotated line.
func itemFromLine(l transcripts.Line) item {
	return item{Seq: l.Seq, Session: l.Session, Proto: l.Proto, Dir: l.Dir, Kind: l.Kind, Time: l.Time, Text: l.Text,
		Encrypted: l.Encrypted, Verb: l.Verb, Code: l.Code, State: l.State, Note: l.Note, Detail: l.Detail, RFC: l.RFC,
		Level: level(l.Level), Complete: l.Complete}
}
