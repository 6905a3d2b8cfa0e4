package lessons

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// List writes the catalog as the CLI shows it: chapters in order, each
// lesson with its id, title, level and duration.
func List(w io.Writer, cat *Catalog) {
	for _, g := range cat.Groups() {
		fmt.Fprintf(w, "%s\n", g.Name)
		for _, l := range g.Lessons {
			fmt.Fprintf(w, "  %-30s %s (%s, %d min)\n", l.ID, l.Title, l.Level, l.Minutes)
		}
	}
}

// Check loads the lessons (built-in ones when builtin is true, plus dirs),
// reports every loading error, then runs CheckAll. It is
// "mailtutor lessons check [DIR]".
func Check(ctx context.Context, w io.Writer, builtin bool, dirs ...string) error {
	cat, errs := Load(builtin, dirs...)
	for _, e := range errs {
		fmt.Fprintln(w, wire.Visible(e.Error())) // names a teacher's files
	}
	err := CheckAll(ctx, cat, w)
	if len(errs) > 0 {
		return errors.Join(fmt.Errorf("%d problem(s) in lesson files", len(errs)), err)
	}
	return err
}

// CheckAll proves every lesson of the catalog against real simulators: for
// each lesson it plays every step's solution on a fresh simulator (each goal
// must be met), then for each live step plays the steps before it and a
// wrong attempt (the step's wrong:, or its solution without the last entry),
// which the goal must reject. It writes one line per lesson and one per
// problem, and returns an error when any lesson fails.
func CheckAll(ctx context.Context, cat *Catalog, w io.Writer) error {
	stateDir, err := os.MkdirTemp("", "mailtutor-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stateDir)
	// Lessons are independent (each run has its own simulators), so they
	// are checked a few at a time; the report keeps catalog order.
	lessons := cat.Lessons()
	results := make([][]string, len(lessons))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, l := range lessons {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = checkLesson(ctx, l, stateDir)
		}()
	}
	wg.Wait()
	failed := 0
	for i, l := range lessons {
		problems := results[i]
		if len(problems) == 0 {
			fmt.Fprintf(w, "ok    %s (%d steps)\n", l.ID, len(l.Steps))
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL  %s\n", l.ID)
		for _, p := range problems {
			fmt.Fprintf(w, "      %s\n", p)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d lesson(s) failed the check", failed)
	}
	return nil
}

// session bundles what one lesson run needs.
type session struct {
	sim *simulator.Simulator
	rec *transcripts.Recorder
	run *Run
}

func (s *session) close() {
	if s.run != nil {
		s.run.Close()
	}
	s.rec.Close()
	s.sim.Close()
}

// start builds a fresh simulator for the lesson and a run on it.
func start(l *Lesson, stateDir string) (*session, error) {
	opts := l.SimulatorOptions()
	opts.StateDir = stateDir
	sim, err := simulator.New(opts)
	if err != nil {
		return nil, err
	}
	rec := newRecorder(sim)
	run, err := NewRun(l, sim, rec)
	s := &session{sim: sim, rec: rec, run: run}
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func stepRef(l *Lesson, i int) string {
	st := l.Steps[i]
	return fmt.Sprintf("%s:%d: step %d %q", l.File, st.Line, i+1, st.Title)
}

func checkLesson(ctx context.Context, l *Lesson, stateDir string) []string {
	var problems []string
	s, err := start(l, stateDir)
	if err != nil {
		return []string{fmt.Sprintf("%s: starting the simulator: %v", l.File, err)}
	}
	opts := PlayOptions{}
	for i := range l.Steps {
		if err := playStep(ctx, s.run, i, opts); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", stepRef(l, i), err))
			break
		}
	}
	if len(problems) == 0 {
		s.rec.Sync()
		problems = append(problems, unknownLines(l, s.run, s.rec.Lines())...)
	}
	s.close()
	if len(problems) > 0 {
		return problems // wrong attempts need a working solution first
	}
	for i, st := range l.Steps {
		if st.Kind != Live {
			continue
		}
		wrong := st.Wrong
		if len(wrong) == 0 {
			wrong = st.Solution[:len(st.Solution)-1]
		}
		if p := checkWrong(ctx, l, i, wrong, stateDir, opts); p != "" {
			problems = append(problems, p)
		}
		for k := range st.Deadends {
			if p := checkDeadend(ctx, l, i, k, stateDir, opts); p != "" {
				problems = append(problems, p)
			}
		}
	}
	return problems
}

// checkDeadend plays the steps before step i, then dead end k's detour: the
// goal must stay unmet and the lesson must see the dead end (by the dead
// end's when:, or by itself); then the recovery (a redo and the solution,
// or the dead end's recover:) must meet the goal.
func checkDeadend(ctx context.Context, l *Lesson, i, k int, stateDir string, opts PlayOptions) string {
	d := l.Steps[i].Deadends[k]
	ref := fmt.Sprintf("%s: dead end %d (%s)", stepRef(l, i), k+1, describeSends(d.Detour))
	s, err := start(l, stateDir)
	if err != nil {
		return fmt.Sprintf("%s: starting the simulator: %v", l.File, err)
	}
	defer s.close()
	for j := 0; j < i; j++ {
		if err := playStep(ctx, s.run, j, opts); err != nil {
			return fmt.Sprintf("%s: replaying before the detour: %v", stepRef(l, j), err)
		}
	}
	_ = s.run.PlaySends(ctx, d.Detour, opts)
	if s.run.Status(i) == Done {
		return ref + ": the goal accepted the detour"
	}
	stuck := s.run.Stuck()
	if stuck == nil {
		return ref + ": after the detour the lesson does not see the dead end (add when:, or check the detour)"
	}
	if stuck.Redo != d.Redo {
		return fmt.Sprintf("%s: the lesson offers redo=%v, the dead end declares recover: %v", ref, stuck.Redo, map[bool]string{true: "redo", false: "a list"}[d.Redo])
	}
	recover := d.Recover
	if d.Redo {
		if err := s.run.Redo(ctx); err != nil {
			return fmt.Sprintf("%s: redo: %v", ref, err)
		}
		if s.run.Current() != i {
			return fmt.Sprintf("%s: redo came back at step %d", ref, s.run.Current()+1)
		}
		if s.run.Stuck() != nil {
			return ref + ": still stuck after redo"
		}
		recover = l.Steps[i].Solution
	}
	if err := s.run.PlaySends(ctx, recover, opts); err != nil {
		return fmt.Sprintf("%s: recovery: %v", ref, err)
	}
	if s.run.Status(i) != Done {
		return fmt.Sprintf("%s: the recovery (%s) did not meet the goal", ref, describeSends(recover))
	}
	return ""
}

// playStep plays step i's solution (or answers its question) and checks
// that the step is done.
func playStep(ctx context.Context, run *Run, i int, opts PlayOptions) error {
	if run.Current() != i {
		return fmt.Errorf("expected to be at this step, but the lesson is at step %d", run.Current()+1)
	}
	st := run.Step(i)
	switch st.Kind {
	case Question:
		run.Answer(st.Answer)
	case Read:
		run.Next()
	default:
		if err := run.PlaySends(ctx, st.Solution, opts); err != nil {
			return fmt.Errorf("solution: %w", err)
		}
	}
	if run.Status(i) != Done {
		return errors.New("the solution was played but the goal is not met")
	}
	return nil
}

// unknownLines reports every line of a played solution that the annotator
// could not explain: a lesson's own examples must be ones mailtutor
// explains, or the learner meets a line with no help at all.
func unknownLines(l *Lesson, run *Run, lines []transcripts.Line) []string {
	var out []string
	for _, ln := range lines {
		if !ln.Unknown {
			continue
		}
		name := run.SessionName(ln.Session)
		if name == "" {
			name = string(ln.Session)
		}
		who := "S:"
		if ln.Dir == wire.FromClient {
			who = "C:"
		} else if ln.Dir == wire.Meta {
			who = "*"
		}
		out = append(out, fmt.Sprintf("%s: the annotator has no explanation for [%s] %s %s", l.File, name, who, ln.Text))
	}
	return out
}

func checkWrong(ctx context.Context, l *Lesson, i int, wrong []Send, stateDir string, opts PlayOptions) string {
	s, err := start(l, stateDir)
	if err != nil {
		return fmt.Sprintf("%s: starting the simulator: %v", l.File, err)
	}
	defer s.close()
	for j := 0; j < i; j++ {
		if err := playStep(ctx, s.run, j, opts); err != nil {
			return fmt.Sprintf("%s: replaying before the wrong attempt: %v", stepRef(l, j), err)
		}
	}
	// A wrong attempt may be refused in any way, even by a hang-up: what
	// matters is that the goal stays unmet.
	_ = s.run.PlaySends(ctx, wrong, opts)
	if s.run.Status(i) == Done {
		what := "the solution without its last entry"
		if len(l.Steps[i].Wrong) > 0 {
			what = "the wrong attempt"
		}
		return fmt.Sprintf("%s: the goal accepted %s (%s)", stepRef(l, i), what, describeSends(wrong))
	}
	return ""
}

// newRecorder records a simulator's events for a lesson run. The recorder
// asks the simulator for its LastSeq by itself, so Sync really waits for
// every line published before it is called.
func newRecorder(sim *simulator.Simulator) *transcripts.Recorder {
	return transcripts.NewRecorder(sim, transcripts.RecorderOptions{})
}
