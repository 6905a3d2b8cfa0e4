package tui

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/lessons"
	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/transcripts"
)

// lessonReadyMsg carries a lesson started off the UI goroutine.
type lessonReadyMsg struct {
	id  string
	run *lessons.Run
	sim *simulator.Simulator
	rec *transcripts.Recorder
	err error
}

// openLesson starts a lesson in a fresh mail world of its own, in the
// background (resuming saved progress replays the earlier steps' solutions,
// which takes a moment).
func (m *Model) openLesson(id string) tea.Cmd {
	if m.lessons.catalog == nil {
		m.home.setNotice("the lessons are still loading")
		return nil
	}
	if m.lesson != nil && m.lesson.id() == id {
		// Back to the lesson left with esc, as it was.
		m.screen = screenLesson
		return nil
	}
	l, ok := m.lessons.catalog.Lesson(id)
	if !ok {
		m.home.setNotice(fmt.Sprintf("no lesson %q", id))
		return nil
	}
	resume := 0
	if m.lessons.progress != nil {
		if p := m.lessons.progress.Get(id); !p.Done {
			resume = p.Step
		}
	}
	m.home.setNotice("Preparing “" + l.Title + "”…")
	opts, done := m.opts, m.done
	return func() tea.Msg {
		so, _ := simulatorOptions(l.SimulatorOptions(), Options{StateDir: opts.StateDir})
		sim, err := simulator.New(so)
		if err != nil {
			return lessonReadyMsg{id: id, err: err}
		}
		rec := transcripts.NewRecorder(sim, transcripts.RecorderOptions{Title: l.Title})
		run, err := lessons.NewRun(l, sim, rec)
		if err == nil && resume > 0 {
			// The world must look as the learner left it: replay the
			// solutions of the steps done. If that fails, start afresh.
			if ferr := run.FastForward(context.Background(), resume, lessons.PlayOptions{}); ferr != nil {
				run.Close()
				run, err = lessons.NewRun(l, sim, rec)
			}
		}
		if err != nil || isClosed(done) {
			if run != nil {
				run.Close()
			}
			rec.Close()
			sim.Close()
			return lessonReadyMsg{id: id, err: err}
		}
		return lessonReadyMsg{id: id, run: run, sim: sim, rec: rec}
	}
}

// lessonReady shows a started lesson.
func (m *Model) lessonReady(msg lessonReadyMsg) tea.Cmd {
	if msg.run == nil {
		if msg.err != nil {
			m.home.setNotice("the lesson could not start: " + msg.err.Error())
		}
		return nil
	}
	if m.quitting {
		msg.run.Close()
		msg.rec.Close()
		msg.sim.Close()
		return nil
	}
	m.closeLesson()
	m.home.setNotice("")
	w := &liveWorld{sim: msg.sim, rec: msg.rec}
	m.lesson = newLessonScreen(m.child(), msg.run, msg.sim, w, m.lessons.progress, m.opts.SaveDir)
	m.screen = screenLesson
	return m.lesson.Init()
}

// closeLesson ends the lesson being played, if any.
func (m *Model) closeLesson() {
	if m.lesson == nil {
		return
	}
	m.lesson.close()
	m.lesson = nil
	if m.screen == screenLesson {
		m.screen = screenHome
	}
}

// restartLesson starts a lesson again from step 1 in a fresh world.
func (m *Model) restartLesson(id string) tea.Cmd {
	if m.lessons.progress != nil {
		m.lessons.progress.Record(id, 0, m.lessons.progress.Get(id).Done)
		m.lessons.progress.Save()
	}
	m.closeLesson()
	m.screen = screenHome
	return m.openLesson(id)
}
