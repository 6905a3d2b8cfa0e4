package classroom

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/tui"
)

// record is what the server keeps of one learner's progress: where they are
// now and, per lesson, what they reached. It survives their desk.
type record struct {
	name string

	mu        sync.Mutex
	online    bool // has a desk (connected, or dropped and kept)
	connected int  // sessions attached now
	now       tui.Progress
	stepSince time.Time // when the current step (or lesson) began
	lessons   map[string]*lessonRecord
	order     []string // lesson ids in the order first opened
}

// lessonRecord is one lesson's line in the gradebook.
type lessonRecord struct {
	title    string
	steps    int
	reached  int // the furthest step reached (steps when finished)
	finished bool
	hints    int // hints shown, all steps together
	wrong    int // wrong attempts, all steps together
	time     time.Duration
	openedAt time.Time // while open: when the time was last added
}

// Learner is one row of the teacher's view.
type Learner struct {
	Name        string
	Online      bool   // connected now
	Away        bool   // dropped, their desk kept for them
	Lesson      string // lesson title; "" on the home screen or the sandbox
	Step, Steps int    // Step from 1; Steps 0 when no lesson is open
	StepTitle   string
	Finished    bool
	OnStep      time.Duration // time on the current step
	Hints       int           // hints on the current step
	Wrong       int           // wrong attempts on the current step
	Stuck       bool          // no progress for StuckAfter
	Done        int           // lessons finished
}

func (s *Server) recordFor(name string) *record {
	if r := s.records[name]; r != nil {
		return r
	}
	r := &record{name: name, lessons: map[string]*lessonRecord{}, stepSince: time.Now()}
	s.records[name] = r
	return r
}

func (r *record) setOnline(on bool) {
	r.mu.Lock()
	r.online = on
	if !on {
		r.addTime(time.Now())
		r.now = tui.Progress{} // the desk is gone: no lesson is open
	}
	r.mu.Unlock()
}

func (r *record) setConnected(delta int) {
	r.mu.Lock()
	r.connected += delta
	r.mu.Unlock()
}

// addTime stops the open lesson's clock: the time since it started counts.
func (r *record) addTime(now time.Time) {
	if lr := r.lessons[r.now.Lesson]; lr != nil && !lr.openedAt.IsZero() {
		lr.time += now.Sub(lr.openedAt)
		lr.openedAt = time.Time{}
	}
}

// progressed takes a learner's progress report (on their program's UI
// goroutine: it only takes a lock) and tells the teachers' views.
func (s *Server) progressed(r *record, p tui.Progress) {
	now := time.Now()
	r.mu.Lock()
	last := r.now
	sameStep := p.Lesson == last.Lesson && p.Step == last.Step
	if p.Lesson != last.Lesson {
		r.addTime(now)
	}
	if !sameStep {
		r.stepSince = now
	}
	if p.Lesson != "" {
		lr := r.lessons[p.Lesson]
		if lr == nil {
			lr = &lessonRecord{title: p.LessonTitle, steps: p.Steps}
			r.lessons[p.Lesson] = lr
			r.order = append(r.order, p.Lesson)
		}
		if lr.openedAt.IsZero() {
			lr.openedAt = now
		}
		lr.reached = max(lr.reached, p.Step)
		lr.finished = lr.finished || p.Finished
		if sameStep {
			lr.hints += max(0, p.Hints-last.Hints)
			lr.wrong += max(0, p.Wrong-last.Wrong)
		} else {
			lr.hints += p.Hints
			lr.wrong += p.Wrong
		}
	}
	r.now = p
	r.mu.Unlock()
	s.notifyTeachers()
}

// sortedRecords is every learner's record, by name.
func (s *Server) sortedRecords() []*record {
	s.mu.Lock()
	recs := make([]*record, 0, len(s.records))
	for _, r := range s.records {
		recs = append(recs, r)
	}
	s.mu.Unlock()
	sort.Slice(recs, func(i, j int) bool { return recs[i].name < recs[j].name })
	return recs
}

// Roster is the class as the teacher's view shows it, by name.
func (s *Server) Roster() []Learner {
	recs := s.sortedRecords()
	now := time.Now()
	out := make([]Learner, 0, len(recs))
	for _, r := range recs {
		r.mu.Lock()
		l := Learner{Name: r.name, Online: r.connected > 0, Away: r.online && r.connected == 0, Lesson: r.now.LessonTitle, Steps: r.now.Steps, StepTitle: r.now.StepTitle,
			Finished: r.now.Finished, Hints: r.now.Hints, Wrong: r.now.Wrong, OnStep: now.Sub(r.stepSince)}
		if r.now.Lesson != "" {
			l.Step = r.now.Step + 1
		}
		for _, lr := range r.lessons {
			if lr.finished {
				l.Done++
			}
		}
		l.Stuck = r.now.Lesson != "" && !r.now.Finished && l.OnStep >= s.opts.StuckAfter
		r.mu.Unlock()
		out = append(out, l)
	}
	return out
}

// WriteCSV writes the gradebook: one row per learner and lesson opened.
func (s *Server) WriteCSV(w io.Writer) error {
	recs := s.sortedRecords()
	cw := csv.NewWriter(w)
	cw.Write([]string{"learner", "lesson", "title", "steps_done", "steps", "finished", "hints", "wrong_attempts", "minutes", "current"})
	now := time.Now()
	for _, r := range recs {
		r.mu.Lock()
		for _, id := range r.order {
			lr := r.lessons[id]
			t := lr.time
			if !lr.openedAt.IsZero() {
				t += now.Sub(lr.openedAt)
			}
			done := lr.reached
			if lr.finished {
				done = lr.steps
			}
			current := ""
			if id == r.now.Lesson {
				current = "yes"
			}
			cw.Write([]string{r.name, id, lr.title, strconv.Itoa(done), strconv.Itoa(lr.steps), strconv.FormatBool(lr.finished),
				strconv.Itoa(lr.hints), strconv.Itoa(lr.wrong), fmt.Sprintf("%.1f", t.Minutes()), current})
		}
		r.mu.Unlock()
	}
	cw.Flush()
	return cw.Error()
}

// ExportCSV writes the gradebook to Options.ProgressCSV (via a temporary
// file, so a spreadsheet never reads half of it).
func (s *Server) ExportCSV() error {
	path := s.opts.ProgressCSV
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".progress-*.csv")
	if err != nil {
		return err
	}
	if err := s.WriteCSV(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ProgressCSVPath is where ExportCSV writes.
func (s *Server) ProgressCSVPath() string { return s.opts.ProgressCSV }

// Announce shows a message to every learner, and to those who join later.
func (s *Server) Announce(text string) {
	text = oneLine(text)
	s.mu.Lock()
	s.announce = text
	progs := s.programs()
	s.mu.Unlock()
	for _, p := range progs {
		go p.Send(announceMsg{text})
	}
	s.logf("message to all: %s", text)
}

// SendClassTo opens a lesson on every learner's screen, and for those who
// join later.
func (s *Server) SendClassTo(lessonID string) error {
	if s.catalog == nil {
		return fmt.Errorf("no lessons loaded")
	}
	if _, ok := s.catalog.Lesson(lessonID); !ok {
		return fmt.Errorf("no lesson %q", lessonID)
	}
	s.mu.Lock()
	s.lesson = lessonID
	progs := s.programs()
	s.mu.Unlock()
	for _, p := range progs {
		go p.Send(tui.OpenLessonMsg{ID: lessonID})
	}
	s.logf("class sent to lesson %s", lessonID)
	return nil
}

// programs lists the desks' programs; called with s.mu held.
func (s *Server) programs() []*tea.Program {
	out := make([]*tea.Program, 0, len(s.desks))
	for _, d := range s.desks {
		out = append(out, d.prog)
	}
	return out
}
