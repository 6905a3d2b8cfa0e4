package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// screen names what the root model shows.
type screen int

const (
	screenHome   screen = iota // the menu
	screenWork                 // a live workspace: sandbox or lesson
	screenReplay               // a transcript being replayed
)

// Model is the whole program: a screen enum, the shared Common and one
// child model per screen (the glow/soft-serve shape). Its methods have
// pointer receivers: Bubble Tea calls them on the one *Model it was given.
type Model struct {
	opts   Options
	c      *Common
	screen screen

	home    *home
	work    *workspace // the workspace shown (sandbox or lesson)
	sandbox *workspace // kept while the program runs, so going home and back keeps it
	// lessonWS is the lesson being played (its own mail world).
	lessonWS *workspace
	// watchWS shows the sandbox world's sessions, read only.
	watchWS *workspace
	replay  *replayScreen
	md      *mdCache

	helpOpen bool
	help     *page

	// world is the running mail world of the sandbox; nil until started.
	world    world
	worldErr error
	// whenWorld is what to open once the world has started (the learner
	// chose the sandbox during the first second).
	whenWorld func() tea.Cmd

	lessons *lessonLibrary

	quitting bool
	shutDown bool // shutdown has run
	// done is closed by shutdown: a mail world that finishes starting in
	// the background after that closes itself instead of leaking (the
	// classroom runs many programs in one process).
	done chan struct{}

	obs progressObserver // the classroom's progress report (observe.go)
}

// worldMsg reports the sandbox's world started (or failed to).
type worldMsg struct {
	w   world
	err error
}

// Init draws the home screen at once and starts the mail world and the
// lesson catalog in the background: the first frame never waits for them.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.startWorld(), m.loadLessons()}
	if m.opts.ReplayFile != "" {
		cmds = append(cmds, loadReplay(m.opts.ReplayFile))
	}
	return tea.Batch(cmds...)
}

func (m *Model) startWorld() tea.Cmd {
	start, done := m.opts.newWorld, m.done
	return func() tea.Msg {
		w, err := start()
		if err == nil && isClosed(done) {
			w.Close()
			return nil
		}
		return worldMsg{w, err}
	}
}

// isClosed reports whether ch has been closed.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Update routes a message to the screen that wants it.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer m.reportProgress()
	if cmd := m.observe(msg); cmd != nil {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = max(msg.Width, 1), max(msg.Height, 1)
		return m, m.markdownCmd()
	case worldMsg:
		m.world, m.worldErr = msg.w, msg.err
		if m.quitting && m.world != nil {
			m.world.Close()
			return m, nil
		}
		if m.whenWorld != nil {
			open := m.whenWorld
			m.whenWorld = nil
			if m.world != nil {
				return m, open()
			}
			m.home.notice = "the mail world could not start: " + msg.err.Error()
		}
		return m, nil
	case markdownMsg:
		m.md.put(msg)
		return m, nil
	case tea.KeyMsg:
		if key.Matches(msg, m.c.KeyMap.Quit) {
			return m, m.quit()
		}
		if key.Matches(msg, m.c.KeyMap.Help) {
			m.helpOpen = !m.helpOpen
			return m, m.markdownCmd()
		}
		if m.helpOpen {
			if m.help.update(msg) {
				m.helpOpen = false
			}
			return m, nil
		}
	}
	if msg, ok := msg.(tea.MouseMsg); ok && m.helpOpen {
		m.help.update(msg)
		return m, nil
	}
	var cmd tea.Cmd
	switch m.screen {
	case screenHome:
		cmd = m.updateHome(msg)
	case screenWork:
		var back bool
		cmd, back = m.work.update(msg)
		if back {
			m.screen = screenHome
		}
		// Messages for a workspace not shown (the sandbox while a lesson
		// runs) still reach it through its own inbox command chain.
	case screenReplay:
		var back bool
		cmd, back = m.replay.update(msg)
		if back {
			m.screen = screenHome
		}
	}
	cmd = tea.Batch(cmd, m.otherWorkspace(msg), m.lessonsUpdate(msg), m.lessonMessages(msg), m.replayLoaded(msg))
	return m, tea.Batch(cmd, m.markdownCmd())
}

// otherWorkspace forwards inbox batches to the workspace that is not on
// screen, so a sandbox keeps its lines while a lesson is shown.
func (m *Model) otherWorkspace(msg tea.Msg) tea.Cmd {
	in, ok := msg.(inboxMsg)
	if !ok {
		return nil
	}
	for _, ws := range []*workspace{m.sandbox, m.lessonWork(), m.watchWS} {
		if ws != nil && in.from == ws.box && (m.screen != screenWork || ws != m.work) {
			cmd, _ := ws.update(msg)
			return cmd
		}
	}
	return nil
}

// markdownCmd starts rendering the Markdown the screen shows now, if it is
// not cached yet.
func (m *Model) markdownCmd() tea.Cmd {
	if m.helpOpen {
		_, cmd := m.help.lines()
		return cmd
	}
	switch m.screen {
	case screenWork:
		return m.work.markdownCmd()
	case screenReplay:
		return m.replay.markdownCmd()
	}
	return nil
}

func (m *Model) updateHome(msg tea.Msg) tea.Cmd {
	e, cmd := m.home.update(msg)
	if e == nil {
		return cmd
	}
	switch e.kind {
	case entrySandbox:
		return m.openSandbox()
	case entryWatch:
		return m.openWatch()
	case entryHelp:
		m.helpOpen = true
	case entryReplay:
		m.replay = newReplayPicker(m.c, m.md, transcriptDir(m.opts.SaveDir))
		m.screen = screenReplay
	case entryLesson:
		return m.openLesson(e.lessonID)
	}
	return nil
}

// openWatch shows every session of the sandbox's world as it happens:
// real mail programs pointed at it, and the relay hops they cause.
func (m *Model) openWatch() tea.Cmd {
	if m.world == nil {
		if m.worldErr != nil {
			m.home.notice = "the mail world could not start: " + m.worldErr.Error()
			return nil
		}
		m.home.notice = "Starting the mail world…"
		m.whenWorld = m.openWatch
		return nil
	}
	m.home.notice = ""
	m.screen = screenWork
	if m.watchWS == nil {
		m.watchWS = newWorkspace(m.c, m.world, workspaceOptions{Title: "Watch", SaveDir: m.opts.SaveDir, MD: m.md, Watch: true})
		m.work = m.watchWS
		return m.watchWS.init()
	}
	m.work = m.watchWS
	return nil
}

// openSandbox shows the sandbox, starting it on the first visit.
func (m *Model) openSandbox() tea.Cmd {
	if m.world == nil {
		if m.worldErr != nil {
			m.home.notice = "the mail world could not start: " + m.worldErr.Error()
			return nil
		}
		m.home.notice = "Starting the mail world…"
		m.whenWorld = m.openSandbox
		return nil
	}
	m.home.notice = ""
	m.screen = screenWork
	if m.sandbox != nil {
		m.work = m.sandbox
		return nil
	}
	m.sandbox = newWorkspace(m.c, m.world, workspaceOptions{Title: "Sandbox", SaveDir: m.opts.SaveDir, MD: m.md})
	m.sandbox.picking = true
	m.work = m.sandbox
	return m.sandbox.init()
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.shutdown()
	return tea.Quit
}

// shutdown ends every session and stops the worlds.
func (m *Model) shutdown() {
	if m.shutDown {
		return
	}
	m.shutDown = true
	close(m.done)
	if m.sandbox != nil {
		m.sandbox.close()
	}
	if m.watchWS != nil {
		m.watchWS.close()
	}
	m.closeLesson()
	if m.world != nil {
		m.world.Close()
	}
}

// View draws the screen shown now.
func (m *Model) View() string {
	if m.quitting {
		return ""
	}
	if m.c.Width == 0 {
		return "mailtutor is starting…"
	}
	if m.helpOpen {
		return m.help.view()
	}
	switch m.screen {
	case screenWork:
		return m.work.view()
	case screenReplay:
		return m.replay.view()
	}
	return m.home.view()
}
