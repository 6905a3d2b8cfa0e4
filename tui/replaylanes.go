package tui

import (
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// replayLane is one session of a replayed transcript: its label, how many
// of its lines are shown, and the newest of them read into a conversation
// (a window: a long session is never read whole).
type replayLane struct {
	laneSpec
	pos      []int // the index in the transcript of each of its lines
	count    int   // how many of them are shown
	convo    convo // lines pos[winStart:winStart+len(convo.items)]
	winStart int
}

// replayWindow is how many of a lane's newest lines are read into its
// conversation: pages of scrolling back, and never the whole file.
const replayWindow = 400

// newest is the index in the transcript of the lane's newest line shown,
// or -1.
func (l *replayLane) newest() int {
	if l.count > 0 {
		return l.pos[l.count-1]
	}
	return -1
}

// makeLanes gives every session of d a lane and lists its lines.
func makeLanes(d replayData) []*replayLane {
	lanes := make([]*replayLane, len(d.lanes))
	for i, spec := range d.lanes {
		lanes[i] = &replayLane{laneSpec: spec, convo: newConvo()}
	}
	for i, li := range d.laneOf {
		lanes[li].pos = append(lanes[li].pos, i)
	}
	return lanes
}

// fill reads into the lane's conversation what it must show: its lines up
// to the count shown, the newest replayWindow of them at most. A step adds
// or takes one line; a jump reads the window afresh.
func (r *replayScreen) fill(l *replayLane) {
	have := l.winStart + len(l.convo.items)
	switch {
	case l.count == 0:
		l.convo, l.winStart = newConvo(), 0
		return
	case l.count <= l.winStart || l.count > have+replayWindow/4 || (l.count > have && l.count-l.winStart > 2*replayWindow):
		l.convo, l.winStart = newConvo(), max(0, l.count-replayWindow)
		have = l.winStart
	case l.count < have:
		l.convo.truncate(l.count - l.winStart)
		return
	}
	for j := have; j < l.count; j++ {
		it, err := r.data.read(l.pos[j])
		if err != nil {
			it = item{Session: l.id, Dir: wire.Meta, Kind: wire.Line, Text: "(this line could not be read again: " + err.Error() + ")"}
		}
		l.convo.add(it)
	}
}

// fillShown fills the lanes drawn now (the others wait until drawn).
func (r *replayScreen) fillShown() {
	if !r.ready {
		return
	}
	lay := r.layout()
	for _, li := range r.shownLanes(lay.cols * lay.rows) {
		r.fill(r.lanes[li])
	}
}

// seek shows the first n lines (at least the first one), each in its
// session's lane.
func (r *replayScreen) seek(n int) {
	total := r.data.len()
	n = max(min(n, total), min(1, total))
	for ; r.shown < n; r.shown++ {
		r.lanes[r.data.laneOf[r.shown]].count++
	}
	for ; r.shown > n; r.shown-- {
		r.lanes[r.data.laneOf[r.shown-1]].count--
	}
	if r.shown > 0 {
		r.active = int(r.data.laneOf[r.shown-1])
	}
	r.fillShown()
	for _, l := range r.lanes {
		l.convo.unselect()
	}
}

// minLaneWidth is the narrowest lane put beside another: an S: line and
// its note still read at this width.
const minLaneWidth = 38

// replayLayout is how the player's body is shared: lanes side by side
// (cols) or one below the other (rows), and the explanation beside or
// under them.
type replayLayout struct {
	areaW, areaH int  // the box all lanes share
	cols, rows   int  // how many lanes, side by side or stacked (one of them is 1)
	sw, sh       int  // the explanation's box; sw 0: none
	under        bool // the explanation is under the lanes
}

// layout puts one session like the live workspace (the explanation beside
// it in a wide window, under it in a tall one); several side by side when
// the window is wide (two or three at 120 columns, the explanation under
// them), else one below the other.
func (r *replayScreen) layout() replayLayout {
	w, h := r.c.Width, max(1, r.c.Height-3)
	n := 0
	for _, l := range r.lanes {
		if l.count > 0 {
			n++
		}
	}
	n = max(n, 1)
	lay := replayLayout{areaW: w, areaH: h, cols: 1, rows: 1}
	switch {
	case n == 1 && w >= 90:
		lay.sw = min(64, w*2/5)
		lay.sh = h
		lay.areaW = w - lay.sw - 1
		return lay
	case h >= 16:
		lay.sw, lay.sh, lay.under = w, h*2/5, true
		lay.areaH = h - lay.sh
	}
	if w >= 100 && n > 1 {
		lay.cols = min(n, 3, max(1, (w+1)/(minLaneWidth+1)))
	} else {
		lay.rows = min(n, max(1, lay.areaH/5))
	}
	return lay
}

// shownLanes picks the lanes to draw, k of them: those with lines shown,
// the most recently active first (the newest line's lane always), then in
// order of first appearance.
func (r *replayScreen) shownLanes(k int) []int {
	var with []int
	for i, l := range r.lanes {
		if l.count > 0 {
			with = append(with, i)
		}
	}
	sort.SliceStable(with, func(a, b int) bool { return r.lanes[with[a]].newest() > r.lanes[with[b]].newest() })
	if len(with) > k {
		with = with[:k]
	}
	sort.Ints(with)
	return with
}

// laneBox is the size of one lane's box, label included.
func (lay replayLayout) laneBox() (int, int) {
	return (lay.areaW - (lay.cols - 1)) / lay.cols, lay.areaH / lay.rows
}

// labelRows is how many rows a lane's label takes in a box h rows high.
func labelRows(h int) int {
	switch {
	case h >= 14:
		return 3
	case h >= 8:
		return 2
	}
	return 1
}

// activeConvo is the conversation keys select and scroll in (the newest
// line's lane), with its box.
func (r *replayScreen) activeConvo() (*convo, int, int) {
	lay := r.layout()
	lw, lh := lay.laneBox()
	if len(r.lanes) == 0 {
		c := newConvo()
		return &c, lw, lh
	}
	return &r.lanes[r.active].convo, lw - 2, max(1, lh-labelRows(lh))
}

// explained is the line the explanation shows: the active lane's.
func (r *replayScreen) explained() (item, bool) {
	if len(r.lanes) == 0 {
		return item{}, false
	}
	return r.lanes[r.active].convo.current()
}

// sessionCount says how many sessions the transcript has, and how many
// are drawn when not all fit.
func (r *replayScreen) sessionCount(lay replayLayout) string {
	n := len(r.lanes)
	if n <= 1 {
		return ""
	}
	s := " · " + strconv.Itoa(n) + " sessions"
	if k := len(r.shownLanes(lay.cols * lay.rows)); k < n {
		s += ", the " + strconv.Itoa(k) + " newest shown"
	}
	return s
}

// lanesView draws the lanes in their box.
func (r *replayScreen) lanesView(lay replayLayout) []string {
	st := &r.c.Styles
	lw, lh := lay.laneBox()
	var blocks [][]string
	for _, li := range r.shownLanes(lay.cols * lay.rows) {
		l := r.lanes[li]
		block := r.laneLabel(l, li == r.active, lw, labelRows(lh))
		block = append(block, l.convo.visible(lw, max(1, lh-len(block)), st)...)
		blocks = append(blocks, fit(block, lw, lh))
	}
	if len(blocks) == 0 {
		return fit(nil, lay.areaW, lay.areaH)
	}
	if lay.cols > 1 {
		return fit(joinColumns(st.Faint.Render("│"), blocks...), lay.areaW, lay.areaH)
	}
	var out []string
	for _, b := range blocks {
		out = append(out, b...)
	}
	return fit(out, lay.areaW, lay.areaH)
}

// laneLabel is a lane's heading: the session's id, protocol and role, its
// client and its TLS, in up to three rows (one: all on a line).
func (r *replayScreen) laneLabel(l *replayLane, active bool, w, rows int) []string {
	st := &r.c.Styles
	lb := l.label
	title := lb.ID
	if lb.Proto != "" {
		title += " · " + lb.Proto
	}
	if l.role != "" {
		title += " (" + string(l.role) + ")"
	}
	if lb.Hop {
		title += " · relay hop"
	}
	tls, _, _ := strings.Cut(lb.TLS, ":")
	client := laneClient(lb)
	tlsLine := "TLS: " + tls
	style, mark := st.Tab, "  "
	if active {
		// The mark says it without colour too: keys select in this lane.
		style, mark = st.TabActive, "▸ "
	}
	title = mark + title
	head := func(s string) string { return style.Render(ansi.Truncate(printable(s), max(1, w-2), "…")) }
	sub := func(s string) string { return st.Subtle.Render(ansi.Truncate(" "+printable(s), w, "…")) }
	switch rows {
	case 1:
		return []string{head(title + " · " + laneClient(lb) + " · " + tlsLine)}
	case 2:
		return []string{head(title), sub(client + " · " + tlsLine)}
	}
	return []string{head(title), sub(client), sub(tlsLine)}
}

// laneClient is the label's client in a lane's width: the name it gave
// and its address ("laptop.example.com at 127.0.0.1:40001"), or for a
// relay hop the world's server that handed the message on.
func laneClient(lb transcripts.SessionLabel) string {
	addr, rest, _ := strings.Cut(lb.Client, ", ")
	if lb.Hop {
		return "from " + addr
	}
	if name, ok := strings.CutPrefix(rest, "calls itself "); ok {
		return name + " at " + addr
	}
	return "client " + addr
}
