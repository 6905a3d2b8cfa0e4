package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// This file is the classroom's window into one learner's program: a
// progress report after every message that changed it, a message that
// opens a lesson, and Close. The classroom (tui/classroom) runs one program
// per learner and never reaches into the screens.

// Progress is where a learner is, as the teacher's view shows it.
type Progress struct {
	Lesson      string // lesson id; "" when no lesson is open
	LessonTitle string
	Step        int // the active step, from 0; Steps when the lesson is finished
	Steps       int
	StepTitle   string // "" when finished
	Finished    bool
	// Hints is how many hints of the active step the learner has seen.
	Hints int
	// Wrong counts the active step's wrong attempts: the learner's commands
	// the server refused (a reply that is not a success) and wrong answers
	// to a question.
	Wrong int
}

// OpenLessonMsg opens a lesson as if the learner had chosen it (the teacher
// sends the class to a lesson). A lesson already open with that id is shown
// as it was.
type OpenLessonMsg struct{ ID string }

// progressObserver keeps what the progress report needs between messages.
type progressObserver struct {
	last     Progress
	reported bool
	refused  int // commands refused in the active step
	wrong0   int // the panel's wrong answers when the step began
}

// Close ends the program's sessions and stops its mail worlds; the
// classroom calls it when a learner's time is up. Safe to call twice.
func (m *Model) Close() { m.shutdown() }

// observe runs before a message is routed: it counts the learner's refused
// commands and opens a lesson the classroom asked for.
func (m *Model) observe(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case OpenLessonMsg:
		if m.lessons.catalog == nil {
			m.opts.StartLesson = msg.ID // opened when the catalog has loaded
			return nil
		}
		m.helpOpen = false
		return m.openLesson(msg.ID)
	case inboxMsg:
		if m.lesson != nil {
			m.obs.refused += m.lesson.refusedIn(msg)
		}
	}
	return nil
}

// refusedIn counts, in a batch bound for this screen, the replies that
// refused a command of one of the lesson's sessions.
func (ls *lessonScreen) refusedIn(msg inboxMsg) int {
	if msg.from != ls.ws.box {
		return 0
	}
	n := 0
	for _, x := range msg.msgs {
		if l, ok := x.(lineMsg); ok && l.it.Dir == wire.FromServer && l.it.Answers != "" && !l.it.OK &&
			l.it.Complete && ls.run.SessionName(l.it.Session) != "" {
			n++
		}
	}
	return n
}

// whereLearnerIs is where the learner is in this lesson, and the wrong answers
// given so far (the root counts them per step).
func (ls *lessonScreen) whereLearnerIs() (p Progress, wrongAnswers int) {
	p.Lesson, p.LessonTitle, p.Steps = ls.lesson.ID, ls.lesson.Title, len(ls.lesson.Steps)
	p.Step, p.Finished = ls.run.Current(), ls.run.Finished()
	if st := ls.pane.currentStep(); st != nil {
		p.StepTitle = st.Title
	}
	p.Hints = ls.run.HintsShown()
	return p, ls.wrongAnswers
}

// reportProgress tells Options.OnProgress where the learner is, when that
// changed.
func (m *Model) reportProgress() {
	if m.opts.OnProgress == nil {
		return
	}
	var p Progress
	if m.lesson != nil {
		var wrong int
		p, wrong = m.lesson.whereLearnerIs()
		if p.Lesson != m.obs.last.Lesson || p.Step != m.obs.last.Step {
			m.obs.refused, m.obs.wrong0 = 0, wrong
		}
		p.Wrong = m.obs.refused + wrong - m.obs.wrong0
	}
	if m.obs.reported && p == m.obs.last {
		return
	}
	m.obs.last, m.obs.reported = p, true
	m.opts.OnProgress(p)
}
