package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/lessons"
	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// lessonScreen plays a lesson in a mail world of its own: the lesson's
// sessions as tabs, its text in the side panel, the current step's goal
// checked after every batch of lines and every change of the world, hints,
// "show me", questions, step back, redo and restart. It owns the
// lessons.Run, which is not safe for concurrent use: every call happens on
// the UI goroutine (or, for a redo, while the screen waits for it).
type lessonScreen struct {
	ws       *workspace
	pane     *lessonPane
	run      *lessons.Run
	sim      *simulator.Simulator
	lesson   *lessons.Lesson
	progress *lessons.Progress

	sent []string // lines the learner sent during the current step
	// showSend and showLine point at the next piece of the current step's
	// solution that "show me" will type.
	showSend, showLine int
	// shown is the line "show me" typed last and the session it typed it
	// in: while it waits there unsent, "show me" points at it again
	// rather than typing the next one over another session.
	shown struct{ session, line string }
	// redoing is set while ctrl+r puts the step back (off the UI goroutine).
	redoing bool
	// hops are the relay hops already announced (a session the lesson did
	// not open, that the servers opened between themselves).
	hops map[wire.SessionID]bool
	// hopNote announces the last relay hop; it stays with the step's
	// "well done" when the hop completes the step.
	hopNote string
	// wrongAnswers counts wrong answers to questions (the classroom's
	// progress report, observe.go).
	wrongAnswers int
}

// Requests and results of the lesson screen.
type (
	// lessonRedoneMsg reports the end of a redo (ctrl+r).
	lessonRedoneMsg struct {
		run *lessons.Run
		err error
	}
	// restartRequest asks the root to start the lesson again from a fresh
	// world.
	restartRequest struct{ id string }
	// progressRequest tells the root that progress changed (home refreshes).
	progressRequest struct{}
)

// newLessonScreen shows a started lesson; its world is the run's simulator
// and the recorder of its lines.
func newLessonScreen(c Common, run *lessons.Run, sim *simulator.Simulator, w world, progress *lessons.Progress, saveDir string) *lessonScreen {
	ls := &lessonScreen{run: run, sim: sim, lesson: run.Lesson(), progress: progress}
	ls.pane = &lessonPane{c: c, run: run, lesson: ls.lesson}
	ls.ws = newWorkspace(c, w, workspaceOptions{Title: ls.lesson.Title, SaveDir: saveDir, Claim: ls.claimHop,
		Panes: []sidePane{ls.pane}, Show: ls.pane})
	return ls
}

// Init starts listening and shows the first step's sessions.
func (ls *lessonScreen) Init() tea.Cmd {
	cmd := ls.syncSessions()
	ls.syncGhost()
	ls.focusStepSession()
	return tea.Batch(ls.ws.init(), cmd, ls.markdownCmd())
}

func (ls *lessonScreen) SetSize(w, h int) { ls.ws.c.SetSize(w, h) }

// id is the lesson's id.
func (ls *lessonScreen) id() string { return ls.lesson.ID }

// close ends the lesson: its sessions, its run, its world.
func (ls *lessonScreen) close() {
	ls.ws.close()
	ls.run.Close()
	ls.ws.world.Close()
	ls.sim.Close()
}

// reconnect opens a lesson session again by name: the run owns them.
func (ls *lessonScreen) reconnect(name string) (clientConn, error) {
	if err := ls.run.Open(name); err != nil {
		return nil, err
	}
	return ls.run.Conn(name), nil
}

// markdownCmd renders what the side panel shows and, shown or not, the
// current step's text.
func (ls *lessonScreen) markdownCmd() tea.Cmd {
	cmd := ls.ws.markdownCmd()
	if !ls.ws.side.showing(ls.pane) {
		cmd = tea.Batch(cmd, ls.pane.markdownCmd())
	}
	return cmd
}

func (ls *lessonScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m, ok := msg.(lessonRedoneMsg); ok {
		if m.run == ls.run {
			return ls, ls.redone(m)
		}
		return ls, nil
	}
	if cmd, ok := ls.ws.background(msg); ok {
		switch msg.(type) {
		case inboxMsg, mailMsg:
			cmd = tea.Batch(cmd, ls.check())
		}
		return ls, cmd
	}
	switch msg := msg.(type) {
	case tea.MouseMsg:
		ls.ws.mouse(msg)
	case tea.KeyMsg:
		return ls, ls.key(msg)
	}
	return ls, nil
}

func (ls *lessonScreen) key(msg tea.KeyMsg) tea.Cmd {
	ws, km := ls.ws, ls.ws.c.KeyMap
	ws.status = "" // any key clears the last status message
	if cmd, ok := ws.key(msg); ok {
		return cmd
	}
	if key.Matches(msg, km.Drop) {
		if cur := ws.sessions.current(); cur != nil && cur.conn != nil {
			// No QUIT, no LOGOUT: the connection just ends, as when a
			// network fails; the run forgets the connection too.
			ls.run.Drop(cur.name)
			ws.setStatus("connection dropped without QUIT, as if the network failed", false)
		}
		return nil
	}
	if cmd, ok := ls.lessonKey(msg); ok {
		return cmd
	}
	s := ws.sessions.current()
	switch {
	case s == nil:
	case key.Matches(msg, km.Send):
		return ls.enter(s)
	case msg.Paste:
		paste(s, msg.Runes, func(s *session) { ls.enter(s) })
	default:
		s.input.handleKey(msg)
	}
	return nil
}

// enter takes the line typed: an answer to a question, or a command.
func (ls *lessonScreen) enter(s *session) tea.Cmd {
	line := s.input.Value()
	// A question's answer is a number: it never needs the connection, and
	// anything else typed under a question is a protocol command. A message
	// body or literal being typed takes every line, the empty line between
	// its header and body too.
	if ls.wantsAnswer() && isAnswer(line) && !(line == "" && s.closed) && !s.hinting() {
		s.input.Reset("")
		return ls.answer(line)
	}
	t := ls.ws.submit(s, ls.reconnect)
	if t.sent {
		ls.sent = append(ls.sent, t.line)
		ls.syncGhost()
	}
	return t.cmd
}

// lessonKey handles the lesson's own keys.
func (ls *lessonScreen) lessonKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	km, p := ls.ws.c.KeyMap, ls.pane
	switch {
	case key.Matches(msg, km.Hint):
		h := ls.run.Hint()
		if h == "" {
			h = "No hint for this step."
		}
		stuck := ls.run.Stuck()
		p.setStuck(stuck)
		if stuck != nil && h == stuck.Say {
			// The dead end is the hint, and it is on screen already.
			p.say("The hints no longer work: see “Stuck?” above.", false)
		} else {
			p.addHint(h)
		}
		ls.ws.side.show(p)
	case key.Matches(msg, km.ShowMe):
		ls.showMe()
		ls.ws.side.show(p)
	case key.Matches(msg, km.NextStep):
		if ls.run.Next() {
			p.say("", false)
			return ls.onStepChange(), true
		}
		if st := p.currentStep(); st != nil {
			p.say("This step is done by doing it: its goal is checked as you type.", false)
			if st.Kind == lessons.Question {
				p.say("Type the number of your answer and press Enter.", false)
			}
		}
	case key.Matches(msg, km.PrevStep):
		if ls.run.Back() {
			p.say("", false)
			return ls.onStepChange(), true
		}
	case key.Matches(msg, km.Redo):
		return ls.redo(), true
	case key.Matches(msg, km.Restart):
		ls.ws.c.request(restartRequest{ls.lesson.ID})
		return nil, true
	default:
		return nil, false
	}
	return ls.markdownCmd(), true
}

func (ls *lessonScreen) View() string {
	ws := ls.ws
	st := &ws.c.Styles
	s := ws.sessions.current()
	switch {
	case s == nil:
		ws.input.say(st.Faint.Render("> "))
	case ls.wantsAnswer():
		ws.input.edit(&s.input, ls.answerPrompt(), true)
	case s.closed && s.input.Value() == "":
		ws.input.say(st.Prompt.Render(s.prompt()) + st.Ghost.Render("connection closed — Enter reconnects"))
	default:
		ws.input.edit(&s.input, s.prompt(), true)
	}
	return ws.view(nil, ls.ShortHelp())
}

func (ls *lessonScreen) ShortHelp() []key.Binding {
	return ls.ws.c.KeyMap.SessionShortHelp(true, len(ls.ws.sessions.list))
}

func (ls *lessonScreen) FullHelp() [][]key.Binding {
	km := ls.ws.c.KeyMap
	return [][]key.Binding{{km.Send, km.Complete, km.HistoryPrev, km.SelectUp, km.PageUp, km.Follow},
		{km.NextSession, km.Split, km.Pane, km.SideUp, km.SideDown, km.Save, km.Drop, km.Back},
		{km.Hint, km.ShowMe, km.NextStep, km.PrevStep, km.Redo, km.Restart}}
}

// check re-evaluates the goal after each batch of lines and each change of
// the mailboxes.
func (ls *lessonScreen) check() tea.Cmd {
	if ls.redoing {
		return nil // the redo replays the earlier steps; redone shows the result
	}
	before := ls.run.Current()
	if ls.run.Check() || ls.run.Current() != before {
		fb := "✓ Well done: step " + strconv.Itoa(before+1) + " is done."
		if ls.run.Finished() {
			fb = "★ Lesson complete! esc goes back to the lessons."
		}
		if ls.hopNote != "" {
			fb += " " + ls.hopNote
			ls.hopNote = ""
		}
		ls.pane.say(fb, true)
		return ls.onStepChange()
	}
	ls.pane.checked(ls.run.Missing(), ls.run.Stuck())
	return nil
}

// onStepChange resets what belongs to one step and saves progress.
func (ls *lessonScreen) onStepChange() tea.Cmd {
	ls.ws.side.Update(sideTopMsg{})
	ls.pane.newStep()
	ls.sent = nil
	ls.showSend, ls.showLine = 0, 0
	ls.shown.session, ls.shown.line = "", ""
	ls.hopNote = ""
	if ls.progress != nil {
		ls.progress.Record(ls.lesson.ID, ls.run.Current(), ls.run.Finished())
		ls.progress.Save()
	}
	ls.ws.c.request(progressRequest{})
	cmd := ls.syncSessions()
	ls.syncGhost()
	ls.focusStepSession()
	return tea.Batch(cmd, ls.markdownCmd())
}

// claimHop gives a relay hop (an SMTP session the servers open between
// themselves, that nobody typed) a read-only tab of its own when it opens,
// and says so in the lesson pane: the journey lesson promises it. It returns
// nil for any other line.
func (ls *lessonScreen) claimHop(it item) *session {
	if it.Kind != wire.Open || !strings.Contains(it.Text, "relay hop") || ls.run.SessionName(it.Session) != "" {
		return nil
	}
	if ls.hops == nil {
		ls.hops = map[wire.SessionID]bool{}
	}
	if ls.hops[it.Session] {
		return nil
	}
	ls.hops[it.Session] = true
	s := newWatchedSession(it)
	s.label = "relay hop"
	ls.hopNote = fmt.Sprintf("↪ A relay hop opened by itself: tab %d shows %s handing the message on, over SMTP, to the server of the recipient's domain (ctrl+n to look).", len(ls.ws.sessions.list)+1, ls.sim.Hostname())
	ls.pane.say(ls.hopNote, true)
	return s
}

// redo puts the active step back as it began, off the UI goroutine.
func (ls *lessonScreen) redo() tea.Cmd {
	st := ls.pane.currentStep()
	if st == nil || st.Kind != lessons.Live || ls.redoing {
		return nil
	}
	ls.redoing = true
	ls.pane.say("Putting the world back as it was when this step began…", false)
	run := ls.run
	return func() tea.Msg {
		return lessonRedoneMsg{run: run, err: run.Redo(context.Background())}
	}
}

// redone shows the step again, with its sessions as the step began.
func (ls *lessonScreen) redone(msg lessonRedoneMsg) tea.Cmd {
	ls.redoing = false
	cmd := ls.onStepChange()
	if msg.err != nil {
		ls.pane.say("The step could not be redone: "+msg.err.Error()+". F7 restarts the lesson.", false)
	} else {
		ls.pane.say("Step "+strconv.Itoa(ls.run.Current()+1)+" again, from the world as it was when it began: the earlier steps were replayed.", true)
	}
	return cmd
}

// wantsAnswer reports whether the input line answers a question.
func (ls *lessonScreen) wantsAnswer() bool {
	st := ls.pane.currentStep()
	return st != nil && st.Kind == lessons.Question
}

// isAnswer reports whether a line typed under a question answers it (a
// number, or nothing: Enter alone asks for one) rather than being a
// protocol command.
func isAnswer(line string) bool {
	t := strings.TrimSpace(line)
	if t == "" {
		return true
	}
	_, err := strconv.Atoi(t)
	return err == nil
}

func (ls *lessonScreen) answerPrompt() string {
	st := ls.pane.currentStep()
	if st == nil {
		return "answer> "
	}
	return fmt.Sprintf("answer 1-%d> ", len(st.Choices))
}

// answer takes the learner's answer to a question step.
func (ls *lessonScreen) answer(line string) tea.Cmd {
	st := ls.pane.currentStep()
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || n < 1 || n > len(st.Choices) {
		ls.pane.say(fmt.Sprintf("Type a number from 1 to %d and press Enter.", len(st.Choices)), false)
		return nil
	}
	ok, expl := ls.run.Answer(n - 1)
	if !ok {
		ls.wrongAnswers++
	}
	ls.pane.say(expl, ok)
	ls.ws.side.show(ls.pane)
	if ok {
		ls.pane.say("✓ Right. "+expl, true)
		return ls.onStepChange()
	}
	return nil
}
