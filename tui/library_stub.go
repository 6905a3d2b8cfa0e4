package tui

import tea "github.com/charmbracelet/bubbletea"

// lessonLibrary will hold the lesson catalog and progress (waiting for
// package lessons to compile again).
type lessonLibrary struct{}

func (m *Model) loadLessons() tea.Cmd {
	return func() tea.Msg { return lessonsLoadedMsg{} }
}

type lessonsLoadedMsg struct{}

func (m *Model) lessonsUpdate(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(lessonsLoadedMsg); ok {
		m.home.loading = false
	}
	return nil
}

func (m *Model) openLesson(id string) tea.Cmd {
	m.home.notice = "lessons are not available in this build yet"
	return nil
}

func (m *Model) closeLesson()           {}
func (m *Model) lessonWork() *workspace { return nil }

func (lp *lessonPanel) markdownCmd(ws *workspace) tea.Cmd { return nil }
