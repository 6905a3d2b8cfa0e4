package tui

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/transcripts"
)

// replayScreen opens a saved transcript and steps through it: first a
// file picker (a path to type, the saved transcripts to choose from), then
// the player, which shows each session in a lane of its own under its label
// (replaylanes.go).
type replayScreen struct {
	c Common

	// Picker.
	dir   string
	files []string // newest first
	pick  int
	path  lineEditor
	err   string
	ready bool // a transcript is open (else the picker shows)

	// Player.
	name   string
	data   replayData    // the transcript: each line's lane, and a way to read it
	lanes  []*replayLane // one per session, in order of first appearance
	shown  int           // how many lines are shown
	active int           // the lane of the newest line shown: keys select and scroll in it
}

// replayMsg carries a transcript read off the UI goroutine.
type replayMsg struct {
	path string
	data replayData
	// items are lines in memory to replay instead of data (tests, a
	// live session); labels label their sessions (a session without one
	// is labelled from its lines).
	items  []item
	labels []transcripts.SessionLabel
	err    error
}

func newReplayPicker(c Common, dir string) *replayScreen {
	r := &replayScreen{c: c, dir: dir}
	entries, _ := os.ReadDir(dir)
	type f struct {
		name string
		mod  int64
	}
	var fs []f
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if info, err := e.Info(); err == nil {
			fs = append(fs, f{e.Name(), info.ModTime().UnixNano()})
		}
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].mod > fs[j].mod })
	for _, x := range fs {
		r.files = append(r.files, filepath.Join(dir, x.name))
	}
	if len(r.files) > 0 {
		r.path.SetValue(r.files[0])
	}
	return r
}

// loadReplay indexes a transcript file (see readTranscript).
func loadReplay(path string) tea.Cmd {
	return func() tea.Msg {
		d, err := readTranscript(path)
		return replayMsg{path: path, data: d, err: err}
	}
}

// replayLoaded opens the player when a transcript has been read (from the
// home screen's picker or Options.ReplayFile).
func (m *Model) replayLoaded(rm replayMsg) tea.Cmd {
	if m.replay == nil {
		m.replay = newReplayPicker(m.child(), transcriptDir(m.opts.SaveDir))
		m.replay.setPath(rm.path)
	}
	m.screen = screenReplay
	m.replay.loaded(rm)
	return nil
}

// setPath puts a file name in the picker's line.
func (r *replayScreen) setPath(p string) { r.path.SetValue(p) }

// loaded shows a transcript read, or why it could not be.
func (r *replayScreen) loaded(rm replayMsg) {
	if rm.err != nil {
		// The file is left as it is; the learner can fix the path.
		r.err = rm.err.Error()
		r.ready = false
		return
	}
	r.close()
	d := rm.data
	if d.read == nil {
		d = memoryReplay(rm.items, rm.labels)
	}
	r.err, r.ready, r.name = "", true, rm.path
	r.data, r.lanes, r.shown, r.active = d, makeLanes(d), 0, 0
	r.seek(1)
}

// close lets the transcript file go.
func (r *replayScreen) close() {
	if r.data.close != nil {
		r.data.close()
	}
	r.data = replayData{}
}

func (r *replayScreen) Init() tea.Cmd { return nil }
func (r *replayScreen) SetSize(w, h int) {
	r.c.SetSize(w, h)
	r.fillShown() // more lanes may be drawn now
}

func (r *replayScreen) ShortHelp() []key.Binding {
	km := r.c.KeyMap
	if !r.ready {
		return []key.Binding{km.Open, km.Back, km.Quit}
	}
	return km.ReplayShortHelp()
}

func (r *replayScreen) FullHelp() [][]key.Binding {
	km := r.c.KeyMap
	return [][]key.Binding{{km.ReplayNext, km.ReplayPrev, km.ReplayStart, km.ReplayEnd}, {km.SelectUp, km.PageUp, km.Back}}
}

// markdownCmd renders the explanation shown, if not cached yet.
func (r *replayScreen) markdownCmd() tea.Cmd {
	if !r.ready {
		return nil
	}
	lay := r.layout()
	if lay.sw == 0 {
		return nil
	}
	if it, ok := r.explained(); ok && it.Detail != "" {
		_, cmd := r.c.markdown.get(explainKey(it), it.Detail, r.c.GlamourStyle, lay.sw-2)
		return cmd
	}
	return nil
}

// Update picks a file, then steps through it; esc asks to go home.
func (r *replayScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := r.update(msg)
	return r, cmd
}

func (r *replayScreen) update(msg tea.Msg) tea.Cmd {
	km := r.c.KeyMap
	st := &r.c.Styles
	if mm, ok := msg.(tea.MouseMsg); ok && r.ready && mm.Action == tea.MouseActionPress {
		c, w, h := r.activeConvo()
		switch mm.Button {
		case tea.MouseButtonWheelUp:
			c.scroll(-3, w, h, st)
		case tea.MouseButtonWheelDown:
			c.scroll(3, w, h, st)
		}
		return nil
	}
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	if key.Matches(k, km.Back) {
		r.c.request(backRequest{})
		return nil
	}
	if !r.ready {
		switch {
		case k.Type == tea.KeyEnter:
			return loadReplay(strings.TrimSpace(r.path.Value()))
		case k.Type == tea.KeyUp && len(r.files) > 0:
			r.pick = (r.pick + len(r.files) - 1) % len(r.files)
			r.path.SetValue(r.files[r.pick])
		case k.Type == tea.KeyDown && len(r.files) > 0:
			r.pick = (r.pick + 1) % len(r.files)
			r.path.SetValue(r.files[r.pick])
		case k.Paste:
			r.path.insert(k.Runes)
		default:
			r.path.handleKey(k)
		}
		return nil
	}
	c, w, h := r.activeConvo()
	switch {
	case key.Matches(k, km.SelectUp):
		c.selectMove(-1, w, h, st)
	case key.Matches(k, km.SelectDown):
		c.selectMove(1, w, h, st)
	case key.Matches(k, km.PageUp):
		c.scroll(-(h - 1), w, h, st)
	case key.Matches(k, km.PageDn):
		c.scroll(h-1, w, h, st)
	case key.Matches(k, km.ReplayNext):
		r.seek(r.shown + 1)
	case key.Matches(k, km.ReplayPrev):
		r.seek(r.shown - 1)
	case key.Matches(k, km.ReplayStart):
		r.seek(1)
	case key.Matches(k, km.ReplayEnd):
		r.seek(r.data.len())
	}
	return nil
}

func (r *replayScreen) View() string {
	st := &r.c.Styles
	w, h := r.c.Width, r.c.Height
	var out []string
	if !r.ready {
		out = append(out, st.Title.Render("mailtutor")+" "+st.Subtle.Render("Replay a transcript"))
		out = append(out, "", " Transcript file (Enter opens, ↑/↓ chooses a saved one):", " "+r.path.view("› ", w-2, st, true))
		if r.err != "" {
			out = append(out, "")
			for _, l := range wrapText("Could not open it: "+printable(r.err)+". Nothing was changed; fix the path or pick another file.", w-2) {
				out = append(out, " "+st.Error.Render(l))
			}
		}
		out = append(out, "", st.Subtle.Render(" Saved transcripts in "+printable(r.dir)+":"))
		if len(r.files) == 0 {
			out = append(out, st.Faint.Render("   (none yet: press ctrl+s in a session to save one)"))
		}
		for i, f := range r.files {
			// A file name is anyone's bytes.
			line := "   " + printable(filepath.Base(f))
			if i == r.pick {
				line = st.Selected.Render(" ▸ " + printable(filepath.Base(f)))
			}
			out = append(out, line)
		}
		out = fit(out, w, h-1)
		out = append(out, r.c.helpLine(r.ShortHelp(), w))
		return strings.Join(out, "\n")
	}
	lay := r.layout()
	head := st.Title.Render("mailtutor") + " " + st.Subtle.Render("Replay: "+printable(filepath.Base(r.name))+r.sessionCount(lay))
	out = append(out, ansi.Truncate(head, w, "…"))
	left := r.lanesView(lay)
	var side []string
	if lay.sw > 0 {
		if it, ok := r.explained(); ok {
			for _, l := range explainLines(&r.c, it, lay.sw-2) {
				side = append(side, " "+l)
			}
		}
		side = fit(side, lay.sw, lay.sh)
	}
	switch {
	case lay.sw > 0 && !lay.under:
		out = append(out, joinColumns(st.Faint.Render("│"), left, side)...)
	case lay.sw > 0:
		out = append(out, left...)
		out = append(out, side...)
	default:
		out = append(out, left...)
	}
	pos := " line " + strconv.Itoa(r.shown) + " of " + strconv.Itoa(r.data.len())
	if r.shown >= r.data.len() {
		pos += " · the end"
	}
	out = append(out, st.StateBar.Render(pos+strings.Repeat(" ", max(0, w-ansi.StringWidth(pos)))))
	out = append(out, r.c.helpLine(r.ShortHelp(), w))
	return strings.Join(fit(out, w, h), "\n")
}
