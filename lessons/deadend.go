package lessons

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Deadend is a detour a learner is likely to take in a step, and how the
// step recovers from it (the `deadends:` list of a step block, FORMAT.md).
type Deadend struct {
	Line int // file line, for messages
	// Detour is what the learner does (same form as a solution); lessons
	// check plays it after the steps before, and the goal must then be
	// unmet and the dead end recognised.
	Detour []Send
	// When recognises the detour from what happened (a goal over the step's
	// lines and the mailboxes). Without it the engine's own detection (TLS
	// already started, a message deleted, the connection closed, IDLE
	// ended) must recognise it.
	When *Goal
	// Say is what the lesson tells the learner; without it, the engine's
	// words.
	Say string
	// Recover is what gets the step back on track after the detour; the
	// goal must hold once it is played. Empty when Redo is set.
	Recover []Send
	// Redo: the way back is to redo the step from the world as it was when
	// the step began (the learner presses ctrl+r; lessons check then plays
	// the solution).
	Redo bool
}

type deadendFields struct {
	Detour  []Send    `yaml:"detour"`
	When    *Goal     `yaml:"when"`
	Say     string    `yaml:"say"`
	Recover yaml.Node `yaml:"recover"`
}

// UnmarshalYAML reads one dead end; recover: is the word redo or a list of
// sends.
func (d *Deadend) UnmarshalYAML(n *yaml.Node) error {
	var f deadendFields
	if err := decodeStrict(n, &f); err != nil {
		return err
	}
	*d = Deadend{Line: n.Line, Detour: f.Detour, When: f.When, Say: strings.TrimSpace(f.Say)}
	if len(d.Detour) == 0 {
		return lineError(n.Line, "a dead end needs detour: (what the learner does)")
	}
	switch {
	case f.Recover.Kind == yaml.ScalarNode && f.Recover.Value == "redo":
		d.Redo = true
	case f.Recover.Kind == yaml.SequenceNode:
		if err := f.Recover.Decode(&d.Recover); err != nil {
			return err
		}
	default:
		return lineError(n.Line, "a dead end needs recover: redo (the step is done again from its start) or a list of what to send")
	}
	return nil
}

// Stuck is a dead end the learner is in: what to tell them, and whether
// redoing the step (Run.Redo) is the way out.
type Stuck struct {
	Say  string
	Redo bool
}

// RedoHint is how the TUI offers a redo; Stuck.Say ends with it when Redo.
const RedoHint = "ctrl+r redoes this step from the world as it was when the step began."

// Stuck reports the dead end the active step is in, or nil: a declared one
// whose when: holds, else one the engine sees by itself.
func (r *Run) Stuck() *Stuck {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stuck()
}

func (r *Run) stuck() *Stuck {
	r.pull()
	if r.finished() {
		return nil
	}
	st := r.lesson.Steps[r.current]
	if st.Kind != Live {
		return nil
	}
	ev := r.evidence(r.current)
	if st.Goal.Met(ev) {
		return nil
	}
	for _, d := range st.Deadends {
		if d.When != nil && d.When.Met(ev) {
			s := &Stuck{Say: d.Say, Redo: d.Redo}
			if s.Say == "" {
				if auto := r.detect(st, ev); auto != nil {
					s.Say = auto.Say
				}
			}
			return finish(s)
		}
	}
	if s := r.detect(st, ev); s != nil {
		for _, d := range st.Deadends {
			if d.When == nil && d.Say != "" && d.Redo == s.Redo {
				s.Say = d.Say // the lesson's own words for a detour the engine sees
				break
			}
		}
		return finish(s)
	}
	return nil
}

func finish(s *Stuck) *Stuck {
	if s.Redo && !strings.Contains(s.Say, "ctrl+r") {
		s.Say = strings.TrimSpace(s.Say + " " + RedoHint)
	}
	return s
}

// detect is the engine's own eye for the common dead ends, read from the
// protocol model's facts and the mail state.
func (r *Run) detect(st *Step, ev *Evidence) *Stuck {
	leaves := st.Goal.positiveLeaves()
	// TLS already started: a goal that needs the server to offer STARTTLS
	// (or to answer it) on a session already encrypted.
	for _, g := range leaves {
		name, wantsOffer := "", false
		if g.Says != nil && (contains(g.Says.Text, "STARTTLS") || contains(g.Says.Text, "STLS")) {
			name, wantsOffer = g.Says.Session, true
		}
		if g.Reply != nil && (verbMatches(g.Reply.Verb, "STARTTLS") && len(g.Reply.Verb) > 0 || verbMatches(g.Reply.Verb, "STLS") && len(g.Reply.Verb) > 0) {
			name, wantsOffer = g.Reply.Session, true
		}
		if wantsOffer && !g.Met(ev) && r.encrypted(name) {
			return &Stuck{Redo: true, Say: fmt.Sprintf("TLS is already on for %s: STARTTLS was accepted before this step's command (a server may take STARTTLS before EHLO). An encrypted session no longer offers STARTTLS, so this step's goal cannot be met on this connection.", name)}
		}
	}
	// IDLE ended: the goal waits for a push, or for IDLE's own OK, on a
	// session that no longer idles.
	for _, g := range leaves {
		name := ""
		if g.Says != nil && (g.Says.Code.has("EXISTS") || g.Says.Code.has("FETCH") || g.Says.Code.has("EXPUNGE") || g.Says.Code.has("+")) {
			name = g.Says.Session
		}
		if g.Reply != nil && verbMatches(g.Reply.Verb, "IDLE") && len(g.Reply.Verb) > 0 {
			name = g.Reply.Session
		}
		if name == "" || g.Met(ev) {
			continue
		}
		if ended, how := r.idleEnded(name, ev); ended {
			return &Stuck{Redo: true, Say: fmt.Sprintf("%s is no longer idling: %s. The server pushes news only to a session that idles, and only a plain DONE ends an IDLE with OK.", name, how)}
		}
	}
	// A message the goal needs is marked for deletion (still reversible),
	// or gone.
	for _, g := range leaves {
		if g.Met(ev) {
			continue
		}
		if g.Mailbox != nil && g.Mailbox.Count != nil {
			b, _ := ev.World.box(g.Mailbox.User, g.Mailbox.Name)
			marked := 0
			for _, m := range b.Messages {
				if m.MarkedDeleted {
					marked++
				}
			}
			if marked > 0 && len(b.Messages)-marked < *g.Mailbox.Count {
				return &Stuck{Say: fmt.Sprintf("A POP3 DELE marked %d message(s) of %s's %s for deletion; QUIT would delete them for good. RSET unmarks them: send RSET before QUIT.", marked, g.Mailbox.User, g.Mailbox.Name)}
			}
			if len(b.Messages) < *g.Mailbox.Count && r.hadAtStart(g.Mailbox.User, g.Mailbox.Name, *g.Mailbox.Count) {
				return &Stuck{Redo: true, Say: fmt.Sprintf("A message was deleted: %s's %s now holds %d message(s), and the step needs %d. A deleted message does not come back.", g.Mailbox.User, g.Mailbox.Name, len(b.Messages), *g.Mailbox.Count)}
			}
		}
		if c := g.Message; c != nil && (c.Count == nil || *c.Count > 0) && c.Subject != "" {
			if !r.present(ev.World, c) && r.presentAtStart(c) {
				return &Stuck{Redo: true, Say: fmt.Sprintf("The message “%s” is gone from %s's %s (deleted, or moved away). A deleted message does not come back.", c.Subject, c.User, orText(c.Mailbox, "INBOX"))}
			}
		}
	}
	// The connection closed while the goal still needs it.
	for _, g := range leaves {
		name := g.session()
		if name == "" || g.Closed != nil || g.Met(ev) {
			continue
		}
		if r.isClosed(name) {
			return &Stuck{Redo: true, Say: fmt.Sprintf("The %s connection is closed (QUIT, or the server hung up), and the step still needs it. Enter on an empty line reconnects, but the new session starts from the beginning (log in again).", name)}
		}
	}
	return nil
}

// positiveLeaves are the goal's predicates that must hold (not those under
// not:).
func (g *Goal) positiveLeaves() []*Goal {
	var out []*Goal
	for _, c := range g.conjuncts() {
		if len(c.Any) > 0 {
			for _, a := range c.Any {
				out = append(out, a.positiveLeaves()...)
			}
			continue
		}
		if c.Not == nil {
			out = append(out, c)
		}
	}
	return out
}

// session is the session a protocol predicate reads, "" for store checks.
func (g *Goal) session() string {
	switch {
	case g.Reply != nil:
		return g.Reply.Session
	case g.Says != nil:
		return g.Says.Session
	case g.State != nil:
		return g.State.Session
	case g.TLS != nil:
		return g.TLS.Session
	case g.Sent != nil:
		return g.Sent.Session
	}
	return ""
}

// currentID is the wire session a lesson session has now ("" if never
// opened).
func (r *Run) currentID(name string) wire.SessionID {
	ids := r.sessions[name]
	if len(ids) == 0 {
		return ""
	}
	return ids[len(ids)-1]
}

func (r *Run) encrypted(name string) bool {
	id := r.currentID(name)
	for _, l := range r.lines {
		if l.Session == id && l.Kind == wire.TLS {
			return true
		}
	}
	return false
}

func (r *Run) isClosed(name string) bool {
	if _, open := r.conns[name]; !open {
		return len(r.sessions[name]) > 0
	}
	id := r.currentID(name)
	for _, l := range r.lines {
		if l.Session == id && l.Kind == wire.Close {
			return true
		}
	}
	return false
}

// idleEnded reports whether an IDLE on the session ended during the step
// (and how), with no IDLE running now.
func (r *Run) idleEnded(name string, ev *Evidence) (bool, string) {
	id := r.currentID(name)
	idling, ended, how := false, false, ""
	for _, l := range r.lines {
		if l.Session != id || l.Kind != wire.Line || normVerb(l.Verb) != "IDLE" {
			continue
		}
		switch {
		case l.Dir == wire.FromServer && l.Code == "+":
			idling = true
		case l.Dir == wire.FromServer && l.Complete:
			idling = false
			if l.Seq > r.since[r.current] {
				ended = true
				how = "its IDLE ended with “" + l.Text + "”"
				if l.Code != "OK" {
					how += " (a tagged DONE, such as p5 DONE, is not DONE: the server refuses it and ends the IDLE)"
				}
			}
		}
	}
	return ended && !idling, how
}

// hadAtStart reports whether a mailbox held at least n messages when the
// step began.
func (r *Run) hadAtStart(user, box string, n int) bool {
	w := r.startWorld
	if w == nil {
		return false
	}
	b, ok := w.box(user, box)
	return ok && len(b.Messages) >= n
}

// present reports whether a message with the check's subject (and from,
// to) is in its mailbox, whatever its flags.
func (r *Run) present(w WorldState, c *MessageCheck) bool {
	b, ok := w.box(c.User, c.Mailbox)
	if !ok {
		return false
	}
	for _, m := range b.Messages {
		if contains(m.Subject, c.Subject) && contains(m.From, c.From) && contains(m.To, c.To) {
			return true
		}
	}
	return false
}

func (r *Run) presentAtStart(c *MessageCheck) bool {
	return r.startWorld != nil && r.present(*r.startWorld, c)
}

// Redo plays the active step again from the world as it was when the step
// began: the connections are closed, the world is put back as the lesson
// began, the sessions open again and the earlier steps' solutions are
// replayed (so the sessions are logged in, selected, idling as the step
// expects). It takes a moment: call it off the UI goroutine.
func (r *Run) Redo(ctx context.Context) error {
	r.mu.Lock()
	at := r.current
	r.closeConns()
	r.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.sim.RestoreWorld(rctx, r.initial); err != nil {
		return err
	}
	r.mu.Lock()
	err := r.reset()
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return r.FastForward(ctx, at, PlayOptions{})
}
