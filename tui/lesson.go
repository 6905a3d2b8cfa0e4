package tui

import (
	tea "github.com/charmbracelet/bubbletea"
)

// lessonPanel plays a lesson inside a workspace: its text in the side
// pane, the current step's goal checked after every line and every change
// of the world, hints, "show me", questions, step back and restart.
type lessonPanel struct {
	title string
}

func (lp *lessonPanel) check(ws *workspace) tea.Cmd                         { return nil }
func (lp *lessonPanel) update(ws *workspace, msg tea.Msg) tea.Cmd           { return nil }
func (lp *lessonPanel) onKey(ws *workspace, msg tea.KeyMsg) (tea.Cmd, bool) { return nil, false }
func (lp *lessonPanel) wantsAnswer() bool                                   { return false }
func (lp *lessonPanel) answer(ws *workspace, line string) tea.Cmd           { return nil }
func (lp *lessonPanel) answerPrompt() string                                { return "answer> " }
func (lp *lessonPanel) view(ws *workspace, w, h int) []string               { return nil }
