package tui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/lessons"
)

// lessonLibrary is the loaded catalog and the learner's progress.
type lessonLibrary struct {
	catalog  *lessons.Catalog
	progress *lessons.Progress
}

// lessonsLoadedMsg carries the catalog loaded in the background.
type lessonsLoadedMsg struct {
	catalog  *lessons.Catalog
	progress *lessons.Progress
	notice   string
}

// loadLessons reads the catalog and the progress file off the UI goroutine.
func (m *Model) loadLessons() tea.Cmd {
	opts := m.opts
	return func() tea.Msg {
		cat, errs := lessons.Load(!opts.NoBuiltinLessons, opts.LessonDirs...)
		notice := ""
		if len(errs) > 0 {
			notice = fmt.Sprintf("%d lesson problem(s), first: %v", len(errs), errs[0])
		}
		prog, pnotice, err := lessons.OpenProgress(lessons.ProgressOptions{Dir: opts.StateDir})
		if err != nil && notice == "" {
			notice = "progress will not be saved: " + err.Error()
		}
		if pnotice != "" {
			notice = pnotice
		}
		return lessonsLoadedMsg{catalog: cat, progress: prog, notice: notice}
	}
}

// lessonsUpdate takes the loaded catalog.
func (m *Model) lessonsUpdate(lm lessonsLoadedMsg) tea.Cmd {
	m.lessons.catalog, m.lessons.progress = lm.catalog, lm.progress
	m.home.loaded(m.lessons.entries(), lm.notice)
	if m.opts.StartLesson != "" {
		id := m.opts.StartLesson
		m.opts.StartLesson = ""
		return m.openLesson(id)
	}
	return nil
}

// entries lists the lessons for the home menu, with progress.
func (lib *lessonLibrary) entries() []menuEntry {
	if lib.catalog == nil {
		return nil
	}
	var out []menuEntry
	for _, g := range lib.catalog.Groups() {
		for _, l := range g.Lessons {
			e := menuEntry{kind: entryLesson, group: g.Name, lessonID: l.ID, title: l.Title, summary: l.Summary}
			if l.Minutes > 0 {
				e.meta = fmt.Sprintf("%d min", l.Minutes)
			}
			if lib.progress != nil {
				p := lib.progress.Get(l.ID)
				switch {
				case p.Done:
					e.done, e.progress = true, "done"
				case p.Step > 0:
					e.progress = fmt.Sprintf("step %d/%d", p.Step+1, len(l.Steps))
				}
			}
			out = append(out, e)
		}
	}
	return out
}
