package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// entryKind says what a home menu entry opens.
type entryKind int

const (
	entryLesson entryKind = iota
	entrySandbox
	entryWatch
	entryReplay
	entryHelp
)

// menuEntry is one line of the home menu.
type menuEntry struct {
	kind     entryKind
	group    string // heading it sits under
	lessonID string // for lessons
	title    string
	summary  string // shown under the menu for the highlighted entry
	meta     string // minutes, level
	progress string // "done", "step 3/7", ""
	done     bool
}

// home is the first screen: lessons in their chapters with progress, then
// the sandbox, watch, replay and help. Typing filters it.
type home struct {
	c       Common
	entries []menuEntry
	shown   []int // indexes into entries after filtering
	cursor  int   // index into shown
	offset  int   // first row of the menu drawn
	filter  []rune
	notice  string // e.g. lessons that failed to load, corrupt progress file
	loading bool
}

func newHome(c Common) *home {
	h := &home{c: c, loading: true}
	h.setEntries(nil)
	return h
}

func (h *home) Init() tea.Cmd     { return nil }
func (h *home) SetSize(w, ht int) { h.c.SetSize(w, ht) }

// setNotice shows a line under the title ("" hides it).
func (h *home) setNotice(s string) { h.notice = s }

// loaded shows the lessons once the catalog has loaded, the cursor on the
// first one, and the loader's notice if any.
func (h *home) loaded(lessons []menuEntry, notice string) {
	first := h.loading
	h.loading = false
	if notice != "" {
		h.notice = notice
	}
	h.setEntries(lessons)
	if first {
		// The first lesson, not where the cursor sat while loading; or,
		// when a filter was typed meanwhile, what it matches best.
		h.cursor = h.bestMatch()
	}
}

func (h *home) ShortHelp() []key.Binding { return h.c.KeyMap.HomeShortHelp() }
func (h *home) FullHelp() [][]key.Binding {
	km := h.c.KeyMap
	return [][]key.Binding{{km.Up, km.Down, km.PageUp, km.PageDn, km.Open, typeToFilter(), km.Back}}
}

// practiceEntries are the entries after the lessons.
func practiceEntries() []menuEntry {
	const g = "Practice"
	return []menuEntry{
		{kind: entrySandbox, group: g, title: "Sandbox", summary: "Talk to any server yourself: pick SMTP, POP3 or IMAP, open several sessions (a laptop and a phone), watch the mailboxes change."},
		{kind: entryWatch, group: g, title: "Watch real mail programs", summary: "Point Thunderbird, a phone or curl at mailtutor and read every line they say, explained."},
		{kind: entryReplay, group: g, title: "Replay a transcript", summary: "Open a saved transcript and step through it line by line with the same explanations."},
		{kind: entryHelp, group: g, title: "Help", summary: "Keys, what the colours mean, where files are kept."},
	}
}

// setEntries replaces the lessons (practice entries are always there).
func (h *home) setEntries(lessons []menuEntry) {
	selected := -1
	if len(h.shown) > 0 && h.cursor < len(h.shown) {
		selected = h.shown[h.cursor]
	}
	var sel menuEntry
	if selected >= 0 {
		sel = h.entries[selected]
	}
	h.entries = append(append([]menuEntry(nil), lessons...), practiceEntries()...)
	h.applyFilter()
	// Keep the highlight on the same entry when progress is refreshed.
	for i, idx := range h.shown {
		e := h.entries[idx]
		if selected >= 0 && e.kind == sel.kind && e.lessonID == sel.lessonID {
			h.cursor = i
		}
	}
}

func (h *home) applyFilter() {
	q := strings.Fields(strings.ToLower(string(h.filter)))
	h.shown = h.shown[:0]
	for i, e := range h.entries {
		hay := strings.ToLower(e.group + " " + e.title + " " + e.summary + " " + e.lessonID)
		ok := true
		for _, w := range q {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			h.shown = append(h.shown, i)
		}
	}
	if h.cursor >= len(h.shown) {
		h.cursor = max(0, len(h.shown)-1)
	}
}

// bestMatch is the entry of the filtered menu the filter matches best:
// the first whose title holds every word typed, else the first shown (its
// summary matched). With no filter, the first entry.
func (h *home) bestMatch() int {
	q := strings.Fields(strings.ToLower(string(h.filter)))
	if len(q) == 0 {
		return 0
	}
	for i, idx := range h.shown {
		title := strings.ToLower(h.entries[idx].title)
		ok := true
		for _, w := range q {
			if !strings.Contains(title, w) {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return 0
}

// selected returns the highlighted entry.
func (h *home) selected() (menuEntry, bool) {
	if h.cursor < len(h.shown) {
		return h.entries[h.shown[h.cursor]], true
	}
	return menuEntry{}, false
}

// Update moves the cursor and filters; Enter asks the root to open the
// highlighted entry.
func (h *home) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	km := h.c.KeyMap
	switch msg := msg.(type) {
	case tea.MouseMsg:
		if msg.Action == tea.MouseActionPress {
			switch msg.Button {
			case tea.MouseButtonWheelUp:
				h.move(-1)
			case tea.MouseButtonWheelDown:
				h.move(1)
			}
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, km.Open):
			if e, ok := h.selected(); ok {
				// Coming back finds the whole menu, on the same entry.
				h.filter = nil
				h.applyFilter()
				for i, idx := range h.shown {
					if h.entries[idx].kind == e.kind && h.entries[idx].lessonID == e.lessonID {
						h.cursor = i
					}
				}
				h.c.request(openRequest{e})
			}
		case key.Matches(msg, km.Up):
			h.move(-1)
		case key.Matches(msg, km.Down):
			h.move(1)
		case key.Matches(msg, km.PageUp):
			h.move(-(h.menuHeight() - 1))
		case key.Matches(msg, km.PageDn):
			h.move(h.menuHeight() - 1)
		case msg.Type == tea.KeyHome:
			h.cursor = 0
		case msg.Type == tea.KeyEnd:
			h.cursor = max(0, len(h.shown)-1)
		case key.Matches(msg, km.Back):
			h.filter = nil
			h.applyFilter()
		case msg.Type == tea.KeyBackspace:
			if len(h.filter) > 0 {
				h.filter = h.filter[:len(h.filter)-1]
				h.applyFilter()
				h.cursor = h.bestMatch()
			}
		case msg.Type == tea.KeyCtrlU:
			h.filter = nil
			h.applyFilter()
		case (msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace) && !msg.Alt:
			h.filter = append(h.filter, msg.Runes...)
			h.applyFilter()
			h.cursor = h.bestMatch()
		}
	}
	return h, nil
}

func (h *home) move(d int) {
	h.cursor += d
	if h.cursor < 0 {
		h.cursor = 0
	}
	if h.cursor >= len(h.shown) {
		h.cursor = max(0, len(h.shown)-1)
	}
}

// menuHeight is the number of menu rows on screen: header, filter, a
// blank, the summary (2), the help line are the rest.
func (h *home) menuHeight() int {
	n := h.c.Height - 7
	if h.notice != "" {
		n--
	}
	return max(1, n)
}

// menuRows builds every row of the menu (headings and entries), the row
// of the cursor and the row of each entry.
func (h *home) menuRows(w int) ([]string, int, []int) {
	st := &h.c.Styles
	var rows []string
	var entryRows []int
	cursorRow := 0
	lastGroup := ""
	for i, idx := range h.shown {
		e := h.entries[idx]
		if e.group != lastGroup {
			if lastGroup != "" {
				rows = append(rows, "")
			}
			rows = append(rows, " "+st.GroupName.Render(e.group))
			lastGroup = e.group
		}
		mark := "  "
		switch {
		case e.kind != entryLesson:
			mark = "  "
		case e.done:
			mark = st.Success.Render("✓ ")
		case e.progress != "":
			mark = st.Warning.Render("◐ ")
		default:
			mark = st.Faint.Render("○ ")
		}
		right := e.progress
		if e.meta != "" {
			right = strings.TrimSpace(e.meta + "  " + right)
		}
		titleW := w - 6 - ansi.StringWidth(right)
		title := ansi.Truncate(e.title, max(4, titleW), "…")
		pad := max(1, w-4-ansi.StringWidth(title)-ansi.StringWidth(right)-2)
		line := title + strings.Repeat(" ", pad) + st.Subtle.Render(right)
		entryRows = append(entryRows, len(rows))
		if i == h.cursor {
			cursorRow = len(rows)
			rows = append(rows, st.Selected.Render(" ▸ ")+mark+st.Selected.Render(title)+strings.Repeat(" ", pad)+st.Subtle.Render(right))
		} else {
			rows = append(rows, "   "+mark+line)
		}
	}
	return rows, cursorRow, entryRows
}

// foldRule is the rule under the menu; when entries wait below the fold
// (their rows at end or after), it says how many.
func (h *home) foldRule(entryRows []int, end, w int) string {
	st := &h.c.Styles
	below := 0
	for _, r := range entryRows {
		if r >= end {
			below++
		}
	}
	if below == 0 {
		return st.Faint.Render(strings.Repeat("─", w))
	}
	say := fmt.Sprintf(" ↓ %d more below (pgdn) ", below)
	lead := "──"
	return st.Faint.Render(lead) + st.Subtle.Render(say) + st.Faint.Render(strings.Repeat("─", max(0, w-ansi.StringWidth(lead+say))))
}

func (h *home) View() string {
	st := &h.c.Styles
	w, ht := h.c.Width, h.c.Height
	var out []string
	out = append(out, st.Title.Render("mailtutor")+" "+st.Subtle.Render("learn how email really works: SMTP, POP3, IMAP"))
	if len(h.filter) > 0 {
		out = append(out, " "+st.Accent.Render("Filter: ")+printable(string(h.filter))+st.Cursor.Render(" ")+st.Faint.Render("  esc clears"))
	} else if h.loading {
		out = append(out, st.Faint.Render(" Loading lessons…"))
	} else {
		out = append(out, st.Faint.Render(" Type to filter · ↑/↓ to choose · Enter to open"))
	}
	if h.notice != "" {
		out = append(out, st.Warning.Render(ansi.Truncate(" "+h.notice, w, "…")))
	}
	mh := h.menuHeight()
	rows, cur, entryRows := h.menuRows(w)
	if len(h.shown) == 0 {
		rows = []string{st.Subtle.Render("   Nothing matches " + fmt.Sprintf("%q", string(h.filter)) + ".")}
	}
	// Keep the cursor on screen, with its heading when there is room.
	if cur < h.offset+1 {
		h.offset = max(0, cur-1)
	}
	if cur >= h.offset+mh {
		h.offset = cur - mh + 1
	}
	if h.offset > max(0, len(rows)-mh) {
		h.offset = max(0, len(rows)-mh)
	}
	end := min(len(rows), h.offset+mh)
	out = append(out, fit(rows[h.offset:end], w, mh)...)
	out = append(out, h.foldRule(entryRows, end, w))
	summary := ""
	if e, ok := h.selected(); ok {
		summary = e.summary
	}
	sl := wrapText(summary, w-2)
	for i := 0; i < 2; i++ {
		l := ""
		if i < len(sl) {
			l = sl[i]
		}
		out = append(out, " "+st.Subtle.Render(l))
	}
	out = append(out, h.c.helpLine(h.ShortHelp(), w))
	return strings.Join(fit(out, w, ht), "\n")
}
