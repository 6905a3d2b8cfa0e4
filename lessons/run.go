package lessons

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// StepStatus is where a step stands in a Run.
type StepStatus int

const (
	Pending StepStatus = iota // not reached yet
	Active                    // the step the learner is on
	Done                      // its goal was met (or its question answered)
)

func (s StepStatus) String() string {
	return [...]string{"pending", "active", "done"}[s]
}

// Run is one learner playing one lesson against one simulator. The TUI drives
// it from its update loop: it calls Check whenever the recorder reports a
// line or the simulator reports a change. A Run starts no goroutine; its
// methods are safe to call from several goroutines (the TUI's update loop
// checks while a "show me" plays in a command), but play one PlaySends at a
// time.
type Run struct {
	mu     sync.Mutex // guards everything below lesson, sim and rec
	lesson *Lesson
	sim    *simulator.Simulator
	rec    *transcripts.Recorder

	conns    map[string]*simulator.Conn  // open connection per session name
	sessions map[string][]wire.SessionID // every id each session name has had
	lines    []Observed                  // every line seen, in order
	lastSeq  uint64                      // highest Seq in lines
	current  int                         // index of the active step; len(Steps) when finished
	status   []StepStatus
	since    []uint64 // per step: only lines after this Seq count for its goal
	hints    []int    // per step: hints shown so far
	shownSeq uint64   // newest line handed to PlayOptions.OnLine
	// initial is the world as the lesson began (Redo puts it back);
	// startWorld the mailboxes as the active step began (dead ends compare
	// with it: a message gone since).
	initial    *simulator.SavedWorld
	startWorld *WorldState
}

// NewRun prepares a lesson on a simulator whose events rec records: it puts
// the lesson's folders and messages in place, switches its faults on, opens
// its sessions and activates the first step. Give it a fresh simulator built
// from lesson.SimulatorOptions() so the world is exactly the lesson's.
func NewRun(l *Lesson, sim *simulator.Simulator, rec *transcripts.Recorder) (*Run, error) {
	r := &Run{lesson: l, sim: sim, rec: rec}
	if err := l.applyWorld(sim); err != nil {
		return nil, err
	}
	r.initial = sim.SaveWorld()
	if err := r.reset(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Run) reset() error {
	n := len(r.lesson.Steps)
	r.status = make([]StepStatus, n)
	r.since = make([]uint64, n)
	r.hints = make([]int, n)
	r.conns = map[string]*simulator.Conn{}
	r.sessions = map[string][]wire.SessionID{}
	r.pull()
	for _, name := range r.lesson.sessionOrder {
		if r.lesson.Sessions[name].Later {
			continue
		}
		if err := r.open(name); err != nil {
			return err
		}
	}
	r.current = 0
	return r.activate(0)
}

// activate makes step i the active one: its goal counts lines from now, its
// faults switch, its sessions open.
func (r *Run) activate(i int) error {
	if i >= len(r.lesson.Steps) {
		return nil
	}
	st := r.lesson.Steps[i]
	r.status[i] = Active
	r.since[i] = r.lastSeq
	w := worldState(r.sim)
	r.startWorld = &w
	for _, f := range st.FaultsOn {
		if n, err := fault.Parse(f); err == nil {
			r.sim.SetFault(n, true)
		}
	}
	for _, f := range st.FaultsOff {
		if n, err := fault.Parse(f); err == nil {
			r.sim.SetFault(n, false)
		}
	}
	for _, line := range st.DNS {
		_ = r.sim.SetDNS(line) // validate has checked every line
	}
	for _, name := range st.Open {
		// A session whose connection has ended (QUIT, the server hung up)
		// is connected again: the step says the device checks its mail anew.
		if c, open := r.conns[name]; !open || ended(c) {
			if err := r.open(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// ended reports whether a connection has ended.
func ended(c *simulator.Conn) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

// Lesson is the lesson being played.
func (r *Run) Lesson() *Lesson { return r.lesson }

// Simulator is the world the lesson plays in.
func (r *Run) Simulator() *simulator.Simulator { return r.sim }

func (r *Run) open(name string) error {
	spec, ok := r.lesson.Sessions[name]
	if !ok {
		return fmt.Errorf("the lesson has no session %q", name)
	}
	if old, ok := r.conns[name]; ok {
		old.Close()
	}
	c, err := r.sim.Dial(spec.Role)
	if err != nil {
		return fmt.Errorf("session %s: %w", name, err)
	}
	r.conns[name] = c
	r.sessions[name] = append(r.sessions[name], c.Session())
	return nil
}

// Drop ends a session's connection without a word (no QUIT), like a pulled
// network cable or a phone losing signal. Open connects it again.
func (r *Run) Drop(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.conns[name]
	if !ok {
		return fmt.Errorf("session %s is not open", name)
	}
	delete(r.conns, name)
	return c.Close()
}

// Conn is the open connection of a session (nil if it is not open). The TUI
// sends what the learner types with Conn(name).Send(line).
func (r *Run) Conn(name string) *simulator.Conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns[name]
}

// SessionName tells which lesson session a wire session belongs to ("" for
// sessions the lesson did not open, such as a relay hop).
func (r *Run) SessionName(id wire.SessionID) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, ids := range r.sessions {
		for _, s := range ids {
			if s == id {
				return name
			}
		}
	}
	return ""
}

// Current is the index of the active step; it equals len(Steps) once the
// lesson is finished.
func (r *Run) Current() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current
}

// Step returns step i.
func (r *Run) Step(i int) *Step { return r.lesson.Steps[i] }

// Status tells where step i stands.
func (r *Run) Status(i int) StepStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i < 0 || i >= len(r.status) {
		return Pending
	}
	return r.status[i]
}

func (r *Run) finished() bool { return r.current >= len(r.lesson.Steps) }

// pull converts the recorder's new lines.
func (r *Run) pull() {
	for _, l := range r.rec.Lines() {
		if l.Seq <= r.lastSeq {
			continue
		}
		r.lines = append(r.lines, observe(l))
		r.lastSeq = l.Seq
	}
}

// observe keeps what goals read from an annotated line. A POP3 status line
// (+OK/-ERR) opening a multi-line answer carries the reply's verdict, so it
// counts as the reply even though the final "." completes it.
func observe(l transcripts.Line) Observed {
	complete := l.Complete
	if l.Proto == wire.POP3 && l.Dir == wire.FromServer && (l.Code == "+OK" || l.Code == "-ERR") {
		complete = true
	}
	return Observed{Seq: l.Seq, Session: l.Session, Dir: l.Dir, Kind: l.Kind, Text: l.Text, Verb: l.Verb,
		Code: l.Code, Enhanced: l.Enhanced, RespCode: l.RespCode, State: l.State, Complete: complete}
}

// evidence gathers what step i's goal is checked against.
func (r *Run) evidence(i int) *Evidence {
	from := sort.Search(len(r.lines), func(j int) bool { return r.lines[j].Seq > r.since[i] })
	return &Evidence{Lines: r.lines[from:], Sessions: r.sessions, World: worldState(r.sim)}
}

func (r *Run) check() bool {
	r.pull()
	advanced := false
	for r.current < len(r.lesson.Steps) {
		st := r.lesson.Steps[r.current]
		if st.Kind != Live || !st.Goal.Met(r.evidence(r.current)) {
			break
		}
		r.complete()
		advanced = true
	}
	return advanced
}

// Met reports whether the active step's goal holds now, without moving on.
func (r *Run) Met() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pull()
	if r.finished() || r.lesson.Steps[r.current].Kind != Live {
		return false
	}
	return r.lesson.Steps[r.current].Goal.Met(r.evidence(r.current))
}

func (r *Run) complete() {
	r.status[r.current] = Done
	r.current++
	r.activate(r.current)
}

func (r *Run) answer(choice int) (correct bool, explanation string) {
	if r.finished() {
		return false, ""
	}
	st := r.lesson.Steps[r.current]
	if st.Kind != Question || choice < 0 || choice >= len(st.Choices) {
		return false, ""
	}
	if choice != st.Answer {
		return false, "Not quite. Think again, or ask for a hint."
	}
	r.complete()
	return true, st.Explanation
}

func (r *Run) next() bool {
	if r.finished() || r.lesson.Steps[r.current].Kind != Read {
		return false
	}
	r.complete()
	return true
}

// Hint returns the next hint of the active step: each call shows one more,
// and the last one repeats. With no hints left to give, it describes the
// solution. "" means the step has nothing to offer.
func (r *Run) Hint() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished() {
		return ""
	}
	st := r.lesson.Steps[r.current]
	if s := r.stuck(); s != nil {
		// A hint for the way the step was meant to go would only repeat
		// what can no longer work.
		return s.Say
	}
	n := r.hints[r.current]
	if n < len(st.Hints) {
		r.hints[r.current]++
		return st.Hints[n]
	}
	if st.Kind == Question {
		if len(st.Hints) > 0 {
			return st.Hints[len(st.Hints)-1]
		}
		return ""
	}
	if len(st.Solution) > 0 {
		return "Show me: " + wire.Visible(describeSends(st.Solution))
	}
	return ""
}

// Missing says which part of the active step's goal is not met while another
// part is (see Goal.Missing); "" otherwise.
func (r *Run) Missing() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pull()
	if r.finished() || r.lesson.Steps[r.current].Kind != Live {
		return ""
	}
	return r.lesson.Steps[r.current].Goal.Missing(r.evidence(r.current))
}

// HintsShown is how many hints of the active step the learner has seen.
func (r *Run) HintsShown() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished() {
		return 0
	}
	return r.hints[r.current]
}

func describeSends(sends []Send) string {
	var parts []string
	for _, s := range sends {
		switch s.Action {
		case "":
			parts = append(parts, strings.Join(s.Lines, " ⏎ "))
		default:
			parts = append(parts, "("+s.Action+" "+s.Session+")")
		}
	}
	return strings.Join(parts, " ; ")
}

// Solution is what "show me" sends for the active step (nil when finished
// or on a question step). Play it with PlaySends, or send each line yourself.
func (r *Run) Solution() []Send {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished() {
		return nil
	}
	return append([]Send(nil), r.lesson.Steps[r.current].Solution...)
}

// Back returns to the previous step, which becomes active again; its goal
// counts only what happens from now on. The mail world is not rewound.
func (r *Run) Back() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current == 0 {
		return false
	}
	if r.current < len(r.status) {
		r.status[r.current] = Pending
	}
	r.current--
	r.hints[r.current] = 0
	r.activate(r.current)
	return true
}

// Restart closes the sessions and starts again from the first step with
// fresh connections. The mail world is not rewound: for a clean world the TUI
// starts a new simulator and calls NewRun.
func (r *Run) Restart() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeConns()
	return r.reset()
}

// SkipTo marks every step before i done and activates step i, for resuming
// saved progress. Use FastForward to also replay their solutions so the
// world matches.
func (r *Run) SkipTo(i int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i > len(r.lesson.Steps) {
		i = len(r.lesson.Steps)
	}
	for r.current < i {
		r.complete()
	}
}

func (r *Run) closeConns() {
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = map[string]*simulator.Conn{}
}

// Close drops the lesson's connections. The simulator and the recorder
// belong to the caller.
func (r *Run) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closeConns()
}

// Open connects a session (again, if it was open: the old connection is
// dropped). The TUI calls it when the learner reconnects.
func (r *Run) Open(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open(name)
}

// Check re-evaluates the active step against the lines recorded so far and
// the store, and moves on while goals are met. It reports whether any step
// became done.
func (r *Run) Check() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.check()
}

// Answer answers the active question step with choice (from 0). A right
// answer completes the step. explanation is the step's explanation when the
// answer is right, and a nudge when it is not.
func (r *Run) Answer(choice int) (correct bool, explanation string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answer(choice)
}

// Next completes a reading step (one without a ```step block). It does
// nothing on live and question steps, which are done by doing them.
func (r *Run) Next() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.next()
}

// Finished reports whether every step is done.
func (r *Run) Finished() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.finished()
}
