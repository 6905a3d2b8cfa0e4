package tui

import "github.com/charmbracelet/bubbles/key"

// watchKeys are the keys only the watch screen answers. Nothing is typed
// there, so each has a letter as well as a function key.
type watchKeys struct {
	Card   key.Binding // the set-up card, as a page
	Faults key.Binding // the trainer's faults, on and off
	Export key.Binding // the active program's sessions and findings to files
	Pause  key.Binding // stop (or start again) following the newest session
	Filter key.Binding // show one program's sessions only, then the next program, then all
}

func defaultWatchKeys() watchKeys {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return watchKeys{
		Card:   b([]string{"f3", "s"}, "F3/s", "set-up card"),
		Faults: b([]string{"f4", "t"}, "F4/t", "faults"),
		Export: b([]string{"f5", "e"}, "F5/e", "export program"),
		Pause:  b([]string{"f6", "p"}, "F6/p", "pause/follow newest"),
		Filter: b([]string{"f7", "f"}, "F7/f", "filter by program"),
	}
}
