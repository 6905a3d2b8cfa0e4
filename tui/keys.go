package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the program answers to. The session screen gives the
// keyboard to the input line, so nothing here is a plain printable
// character: commands are typed, and everything else uses function keys,
// ctrl or alt, which never appear in a protocol line.
type KeyMap struct {
	Quit key.Binding // leave mailtutor
	Help key.Binding // full help overlay
	Back key.Binding // back to the home screen (or cancel a body being typed)

	// Home screen.
	Up     key.Binding // move up the menu
	Down   key.Binding // move down the menu
	Open   key.Binding // open the highlighted entry
	PageUp key.Binding // a page up in lists and the conversation
	PageDn key.Binding // a page down

	// Session screen.
	Send        key.Binding // send the input line
	Complete    key.Binding // complete a command / accept the ghost text
	HistoryPrev key.Binding // previous command typed in this session
	HistoryNext key.Binding // next command typed
	SelectUp    key.Binding // select the line above (its explanation shows in the detail pane)
	SelectDown  key.Binding // select the line below
	Follow      key.Binding // jump back to the newest line and follow new ones
	NextSession key.Binding // switch to the next session tab
	PrevSession key.Binding // switch to the previous session tab
	NewSession  key.Binding // open another session (sandbox)
	Split       key.Binding // show two sessions side by side
	Pane        key.Binding // cycle the side pane: explanation, mailbox, lesson
	SideUp      key.Binding // scroll the side pane up
	SideDown    key.Binding // scroll the side pane down
	Save        key.Binding // save the transcript to a file
	Drop        key.Binding // drop the session's connection without a word, like a pulled cable
	AuthPlain   key.Binding // type the AUTH PLAIN line of the world's next user (sandbox)
	DNS         key.Binding // show and change the world's DNS records (sandbox, lesson)

	// Lesson player.
	Hint     key.Binding // show the next hint
	ShowMe   key.Binding // type the next command for the learner
	NextStep key.Binding // go on after a read step or an answered question
	PrevStep key.Binding // step back
	Restart  key.Binding // start the lesson again from a fresh world
	Redo     key.Binding // redo the step from the world as it was when it began

	// Replay.
	ReplayNext  key.Binding // show the next line of the transcript
	ReplayPrev  key.Binding // hide the last line shown
	ReplayStart key.Binding // back to the first line
	ReplayEnd   key.Binding // show every line
}

// DefaultKeyMap returns the standard bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Quit: b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Help: b([]string{"f1"}, "F1", "help"),
		Back: b([]string{"esc"}, "esc", "back"),

		Up:     b([]string{"up", "ctrl+k"}, "↑", "up"),
		Down:   b([]string{"down", "ctrl+j"}, "↓", "down"),
		Open:   b([]string{"enter"}, "enter", "open"),
		PageUp: b([]string{"pgup"}, "pgup", "scroll up"),
		PageDn: b([]string{"pgdown"}, "pgdn", "scroll down"),

		Send:        b([]string{"enter"}, "enter", "send"),
		Complete:    b([]string{"tab"}, "tab", "complete"),
		HistoryPrev: b([]string{"up"}, "↑/↓", "history"),
		HistoryNext: b([]string{"down"}, "↓", "history"),
		SelectUp:    b([]string{"shift+up", "alt+up", "ctrl+up"}, "shift+↑/↓", "select line"),
		SelectDown:  b([]string{"shift+down", "alt+down", "ctrl+down"}, "shift+↓", "select line"),
		Follow:      b([]string{"ctrl+end", "ctrl+l"}, "ctrl+l", "follow newest"),
		NextSession: b([]string{"ctrl+n"}, "ctrl+n/p", "switch session"),
		PrevSession: b([]string{"ctrl+p"}, "ctrl+p", "previous session"),
		NewSession:  b([]string{"ctrl+t"}, "ctrl+t", "new session"),
		Split:       b([]string{"f8"}, "F8", "two sessions side by side"),
		Pane:        b([]string{"f2"}, "F2", "side pane"),
		SideUp:      b([]string{"ctrl+pgup", "f9"}, "ctrl+pgup/F9", "scroll side pane up"),
		SideDown:    b([]string{"ctrl+pgdown", "f10"}, "ctrl+pgdn/F10", "scroll side pane down"),
		Save:        b([]string{"ctrl+s"}, "ctrl+s", "save transcript"),
		Drop:        b([]string{"f12"}, "F12", "drop connection (pulled cable)"),
		AuthPlain:   b([]string{"ctrl+g"}, "ctrl+g", "AUTH PLAIN line"),
		DNS:         b([]string{"ctrl+o", "f11"}, "ctrl+o", "the world's DNS (show, change)"),

		Hint:     b([]string{"f3"}, "F3", "hint"),
		ShowMe:   b([]string{"f4"}, "F4", "show me"),
		NextStep: b([]string{"f5"}, "F5", "next step"),
		PrevStep: b([]string{"f6"}, "F6", "step back"),
		Restart:  b([]string{"f7"}, "F7", "restart"),
		Redo:     b([]string{"ctrl+r"}, "ctrl+r", "redo step"),

		ReplayNext:  b([]string{"right", "down", "enter", " ", "n", "j", "l"}, "→/space", "next line"),
		ReplayPrev:  b([]string{"left", "up", "p", "k", "h", "backspace"}, "←", "previous"),
		ReplayStart: b([]string{"home", "g"}, "home", "first"),
		ReplayEnd:   b([]string{"end", "G"}, "end", "last"),
	}
}

// HomeShortHelp is the help line of the home screen.
func (k KeyMap) HomeShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Open, typeToFilter(), k.Help, k.Quit}
}

// typeToFilter documents that typing filters the home menu; it matches no
// key itself.
func typeToFilter() key.Binding {
	return key.NewBinding(key.WithKeys(), key.WithHelp("type", "filter"))
}

// SessionShortHelp is the help line under a live session; sessions is
// how many tabs the screen has (a lesson with two needs ctrl+n/p).
func (k KeyMap) SessionShortHelp(lesson bool, sessions int) []key.Binding {
	if lesson {
		if sessions > 1 {
			return []key.Binding{k.Send, k.NextSession, k.Hint, k.ShowMe, k.NextStep, k.Pane, k.Help, k.Back}
		}
		return []key.Binding{k.Send, k.Hint, k.ShowMe, k.NextStep, k.Pane, k.Help, k.Back}
	}
	return []key.Binding{k.Send, k.Complete, k.SelectUp, k.NewSession, k.AuthPlain, k.Pane, k.Help, k.Back}
}

// helpDropRank says how early a help line too wide for the window leaves
// a binding out (lower: earlier). The listed ones go first, least useful
// first; then the others from the right; help, back and quit last.
func (k KeyMap) helpDropRank(b key.Binding, pos, n int) int {
	order := []key.Binding{k.Pane, k.SelectUp, k.Complete, k.Split, k.ReplayStart, k.NewSession, k.Send, k.ShowMe, k.AuthPlain}
	h := b.Help()
	for i, o := range order {
		if o.Help() == h {
			return i
		}
	}
	for i, o := range []key.Binding{k.Help, k.Back, k.Quit} {
		if o.Help() == h {
			return 1000 + i
		}
	}
	return len(order) + n - pos
}

// WatchShortHelp is the help line while watching other programs' sessions:
// nothing is typed there.
func (k KeyMap) WatchShortHelp() []key.Binding {
	return []key.Binding{k.NextSession, k.SelectUp, k.Split, k.Pane, k.Help, k.Back}
}

// ReplayShortHelp is the help line of the replay screen.
func (k KeyMap) ReplayShortHelp() []key.Binding {
	return []key.Binding{k.ReplayNext, k.ReplayPrev, k.ReplayEnd, k.SelectUp, k.Help, k.Back}
}

// FullHelp lists every binding in columns for the F1 overlay.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Send, k.Complete, k.HistoryPrev, k.SelectUp, k.PageUp, k.Follow},
		{k.NewSession, k.NextSession, k.Split, k.Pane, k.SideUp, k.SideDown, k.Save, k.Drop, k.AuthPlain, k.DNS, k.Back, k.Quit},
		{k.Hint, k.ShowMe, k.NextStep, k.PrevStep, k.Redo, k.Restart, k.Help},
		{k.ReplayNext, k.ReplayPrev, k.ReplayStart, k.ReplayEnd},
	}
}
