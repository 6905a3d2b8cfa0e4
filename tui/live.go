package tui

import (
	"bytes"
	"io"
	"log"
	"os"
	"sync"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// liveWorld adapts a running simulator and its recorder (the one place
// lines are annotated) to the screens' world interface.
type liveWorld struct {
	sim    *simulator.Simulator
	rec    *transcripts.Recorder
	logOut io.Closer // the log file, if any
	// ownSim says Close also closes the simulator (the sandbox's); a
	// lesson's simulator is closed by the lesson.
	ownSim bool
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
	var base simulator.Options
	if opts.World != nil {
		base = *opts.World
	}
	so, closer := simulatorOptions(base, opts)
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
	// A world watched for days (mailtutor watch, fifty programs) keeps its
	// newest lines only.
	rec := transcripts.NewRecorder(sim, transcripts.RecorderOptions{Title: "mailtutor sandbox", MaxLines: recorderMaxLines})
	return &liveWorld{sim: sim, rec: rec, logOut: logOut, ownSim: true}
}

func (w *liveWorld) Roles() []wire.Role         { return w.sim.Roles() }
func (w *liveWorld) Addr(role wire.Role) string { return w.sim.Addr(role) }

// Users reads the users the simulator was set up with (a lesson's world
// may replace the default ones).
func (w *liveWorld) Users() []worldUser {
	var out []worldUser
	for _, u := range w.sim.SetupInfo().Users {
		out = append(out, worldUser{Address: u.Address, Password: u.Password})
	}
	return out
}

func (w *liveWorld) Dial(role wire.Role) (clientConn, error) {
	c, err := w.sim.Dial(role)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// WatchLines hands fn every line recorded so far, then every new one, in
// order and exactly once: the lock holds new lines back until the backlog
// has been handed over.
func (w *liveWorld) WatchLines(fn func(item)) func() {
	var mu sync.Mutex
	mu.Lock()
	sofar, cancel := w.rec.Follow(func(l transcripts.Line) {
		mu.Lock()
		fn(itemFromLine(l))
		mu.Unlock()
	})
	for _, l := range sofar {
		fn(itemFromLine(l))
	}
	mu.Unlock()
	return cancel
}

func (w *liveWorld) OnChange(fn func()) func() { return w.sim.Watch(fn) }

func (w *liveWorld) Mail() mailState { return mailFromSnapshot(w.sim.Snapshot()) }

// SaveTranscript writes everything this world recorded (the learner's
// sessions and the relay hops they caused), credentials masked.
func (w *liveWorld) SaveTranscript(out io.Writer) error {
	return w.rec.Transcript().Save(out)
}

func (w *liveWorld) Close() error {
	var err error
	if w.ownSim {
		err = w.sim.Close()
	}
	w.rec.Close()
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
	it := item{Seq: l.Seq, Session: l.Session, Proto: l.Proto, Role: l.Role, Dir: l.Dir, Kind: l.Kind, Time: l.Time, Text: lineText(l),
		Encrypted: l.Encrypted, Verb: l.Verb, Code: l.Code, State: l.State, Note: l.Note, Detail: l.Detail, RFC: l.RFC,
		Level: level(l.Level), Complete: l.Complete, Tag: l.Tag, Answers: l.Answers, OK: l.OK}
	if l.Proto == wire.IMAP && l.Kind == wire.Payload && !l.Secret {
		it.Literal, it.LiteralLines = literalHead(l.Raw)
	}
	return it
}

// lineText is the line's text as shown. The annotator escapes a tab as
// the two characters \t (wire.Visible), which makes a folded header line
// read as code. When Text is exactly the escaped form of the line's bytes,
// the text is taken from the bytes instead, with each tab as spaces and
// everything else escaped the same way; a backslash followed by t that was
// on the wire stays as it was. Any other Text (a summary, a masked line)
// is kept as the annotator wrote it.
func lineText(l transcripts.Line) string {
	if l.Kind != wire.Line || bytes.IndexByte(l.Raw, '\t') < 0 {
		return l.Text
	}
	raw := string(wire.TrimEOL(l.Raw))
	if wire.Visible(raw) != l.Text {
		return l.Text
	}
	return printable(raw)
}

// literalHead splits a literal's bytes into lines and keeps the first
// maxLiteralLines, escaped for the screen; it returns them and how many
// lines there are in all.
func literalHead(raw []byte) ([]string, int) {
	text := bytes.TrimSuffix(raw, []byte("\r\n"))
	if len(text) == 0 {
		return nil, 0
	}
	var out []string
	rest := text
	for len(out) < maxLiteralLines && rest != nil {
		ln, after, found := bytes.Cut(rest, []byte("\n"))
		out = append(out, printable(shorten(string(bytes.TrimSuffix(ln, []byte("\r"))), maxShownBytes)))
		if !found {
			after = nil
		}
		rest = after
	}
	return out, bytes.Count(text, []byte("\n")) + 1
}

// recorderMaxLines bounds the lines the sandbox's and watch screen's
// recorder keeps for ctrl+s (transcripts.RecorderOptions.MaxLines).
const recorderMaxLines = 100_000
