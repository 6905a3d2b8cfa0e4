package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// convo is a scrollable conversation: the annotated lines of one session.
// A session can hold tens of thousands of lines, and Bubble Tea redraws up
// to 60 times a second, so the view never renders every line: each item's
// wrapped, styled rows are cached for the current width, and View walks
// only the items that reach the screen.
type convo struct {
	items    []item
	rows     [][]string // cached rows per item for rowWidth; nil = not yet rendered
	rowWidth int        // the width the cache was built for
	rowGen   int        // the styles' generation it was built with

	// follow keeps the newest line at the bottom as lines arrive.
	follow bool
	// top is the first row shown when not following: item index and the
	// row within that item.
	topItem, topRow int
	// selected is the item whose explanation the detail pane shows; -1
	// means "the newest one".
	selected int
}

func newConvo() convo { return convo{follow: true, selected: -1} }

// add appends items (the view keeps following if it was).
func (c *convo) add(its ...item) {
	c.items = append(c.items, its...)
	for range its {
		c.rows = append(c.rows, nil)
	}
}

// truncate keeps the first n items (a replay stepping back).
func (c *convo) truncate(n int) {
	if n < len(c.items) {
		c.items = c.items[:n]
		c.rows = c.rows[:n]
	}
	if c.selected >= n {
		c.selected = -1
	}
	if c.topItem >= n {
		c.follow = true
	}
}

// current is the item the detail pane explains.
func (c *convo) current() (item, bool) {
	if len(c.items) == 0 {
		return item{}, false
	}
	if c.selected >= 0 && c.selected < len(c.items) {
		return c.items[c.selected], true
	}
	// Newest line with something to explain.
	for i := len(c.items) - 1; i >= 0 && i >= len(c.items)-50; i-- {
		if c.items[i].Detail != "" || c.items[i].Note != "" {
			return c.items[i], true
		}
	}
	return c.items[len(c.items)-1], true
}

// itemRows returns the rendered rows of item i at width w (content width,
// without the two-column gutter), from the cache when it can.
func (c *convo) itemRows(i, w int, st *Styles) []string {
	if w != c.rowWidth || st.gen != c.rowGen {
		for j := range c.rows {
			c.rows[j] = nil
		}
		c.rowWidth, c.rowGen = w, st.gen
	}
	if c.rows[i] == nil {
		c.rows[i] = renderItem(c.items[i], w, st)
	}
	return c.rows[i]
}

// marker is the direction column: who sent the line.
func marker(it item) string {
	switch it.Dir {
	case wire.FromClient:
		return "C: "
	case wire.FromServer:
		return "S: "
	default:
		return "*  "
	}
}

// renderItem draws one item: its text wrapped under a direction marker,
// then its one-line annotation.
func renderItem(it item, w int, st *Styles) []string {
	if w < 8 {
		w = 8
	}
	textStyle := st.MetaLine
	switch it.Dir {
	case wire.FromClient:
		textStyle = st.Client
	case wire.FromServer:
		textStyle = st.Server
	}
	if it.Kind == wire.Payload {
		textStyle = st.Payload
	}
	var lines []string
	if it.Kind == wire.Payload {
		body := strings.Split(it.Text, "\n")
		shown := body
		if len(shown) > maxPayloadLines {
			shown = shown[:maxPayloadLines]
		}
		for _, l := range shown {
			lines = append(lines, printable(shorten(strings.TrimSuffix(l, "\r"), maxShownBytes)))
		}
		if len(body) > maxPayloadLines {
			lines = append(lines, "… "+strconv.Itoa(len(body)-maxPayloadLines)+" more lines ("+humanBytes(len(it.Text))+" in all)")
		}
		lines = append(lines, literalRows(it, foldedLiteralLines)...)
	} else {
		text := it.Text
		if it.Kind != wire.Line && text == "" {
			text = it.Kind.String()
		}
		lines = []string{printable(shorten(text, maxShownBytes))}
	}
	mark := marker(it)
	indent := strings.Repeat(" ", len(mark))
	var out []string
	first := true
	for _, l := range lines {
		wrapped := strings.Split(ansi.Wrap(l, w-len(mark), ""), "\n")
		for _, r := range wrapped {
			prefix := indent
			if first {
				prefix = mark
				first = false
			}
			out = append(out, textStyle.Render(prefix+r))
		}
	}
	note := printable(it.Note)
	if m := replyOutcome(it).mark(); m != "" {
		// The outcome in a mark and a word, not only in the note's colour.
		note = strings.TrimSuffix(m+" · "+note, " · ")
	}
	if note != "" {
		noteStyle := st.Note
		switch it.Level {
		case levelError:
			noteStyle = st.Error
		case levelWarning:
			noteStyle = st.Warning
		case levelSuccess:
			noteStyle = st.Success
		}
		// Two rows at most: the side pane has the rest.
		rows := strings.Split(ansi.Wrap(note, w-5, ""), "\n")
		if len(rows) > 2 {
			rows = rows[:2]
			rows[1] = ansi.Truncate(rows[1]+" …", w-5, "…")
		}
		for k, r := range rows {
			lead := "   ↳ "
			if k > 0 {
				lead = "     "
			}
			out = append(out, noteStyle.Render(lead+r))
		}
	}
	return out
}

// literalRows are the first n lines of an IMAP literal's text, each after
// a bar, then how many more there are.
func literalRows(it item, n int) []string {
	if len(it.Literal) == 0 {
		return nil
	}
	shown := it.Literal[:min(n, len(it.Literal))]
	out := make([]string, 0, len(shown)+1)
	for _, l := range shown {
		out = append(out, "│ "+l)
	}
	if more := it.LiteralLines - len(shown); more > 0 {
		out = append(out, "… "+strconv.Itoa(more)+" more "+plural(more, "line"))
	}
	return out
}

// plural picks the word's form for n.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// visible returns the rows to draw in a box of width w and height h, each
// with a two-column gutter: a bar for the selected item and a lock for lines
// that travelled inside TLS.
func (c *convo) visible(w, h int, st *Styles) []string {
	if h <= 0 || len(c.items) == 0 {
		return nil
	}
	cw := w - 2
	type row struct {
		item int
		text string
	}
	var rows []row
	if c.follow {
		// Walk back from the newest item until the box is full.
		for i := len(c.items) - 1; i >= 0 && len(rows) < h; i-- {
			r := c.itemRows(i, cw, st)
			chunk := make([]row, 0, len(r))
			for _, t := range r {
				chunk = append(chunk, row{i, t})
			}
			rows = append(chunk, rows...)
		}
		if len(rows) > h {
			rows = rows[len(rows)-h:]
		}
	} else {
		skip := c.topRow
		for i := c.topItem; i < len(c.items) && len(rows) < h; i++ {
			for _, t := range c.itemRows(i, cw, st) {
				if skip > 0 {
					skip--
					continue
				}
				rows = append(rows, row{i, t})
			}
		}
		if len(rows) > h {
			rows = rows[:h]
		}
	}
	out := make([]string, len(rows))
	for k, r := range rows {
		gutter := "  "
		it := c.items[r.item]
		if r.item == c.selected {
			gutter = st.SelectBar.Render("▌") + " "
		} else if it.Encrypted {
			gutter = st.Encrypted.Render("≡") + " "
		}
		out[k] = gutter + r.text
	}
	return out
}

// topAnchor works out the first row shown when following, so scrolling up
// starts from what the learner sees.
func (c *convo) topAnchor(w, h int, st *Styles) (int, int) {
	cw := w - 2
	need := h
	for i := len(c.items) - 1; i >= 0; i-- {
		n := len(c.itemRows(i, cw, st))
		if n >= need {
			return i, n - need
		}
		need -= n
	}
	return 0, 0
}

// scroll moves the view by delta rows (negative: up). Reaching the bottom
// turns following back on.
func (c *convo) scroll(delta, w, h int, st *Styles) {
	if len(c.items) == 0 {
		return
	}
	cw := w - 2
	if c.follow {
		if delta >= 0 {
			return
		}
		c.topItem, c.topRow = c.topAnchor(w, h, st)
		c.follow = false
	}
	for delta < 0 {
		if c.topRow > 0 {
			c.topRow--
		} else if c.topItem > 0 {
			c.topItem--
			c.topRow = len(c.itemRows(c.topItem, cw, st)) - 1
		} else {
			break
		}
		delta++
	}
	for delta > 0 {
		if c.topRow+1 < len(c.itemRows(c.topItem, cw, st)) {
			c.topRow++
		} else if c.topItem+1 < len(c.items) {
			c.topItem++
			c.topRow = 0
		} else {
			break
		}
		delta--
	}
	// Back at the bottom: follow again.
	bi, br := c.topAnchor(w, h, st)
	if c.topItem > bi || (c.topItem == bi && c.topRow >= br) {
		c.follow = true
	}
}

// selectMove moves the selection by delta items and scrolls so it shows.
func (c *convo) selectMove(delta, w, h int, st *Styles) {
	if len(c.items) == 0 {
		return
	}
	if c.selected < 0 {
		c.selected = len(c.items)
		if delta > 0 {
			return
		}
	}
	c.selected += delta
	if c.selected < 0 {
		c.selected = 0
	}
	if c.selected >= len(c.items) {
		c.selected = -1
		c.follow = true
		return
	}
	c.reveal(c.selected, w, h, st)
}

// reveal scrolls so item i is on screen.
func (c *convo) reveal(i, w, h int, st *Styles) {
	top, topRow := c.topItem, c.topRow
	if c.follow {
		top, topRow = c.topAnchor(w, h, st)
	}
	if i < top || (i == top && topRow > 0) {
		c.follow = false
		c.topItem, c.topRow = i, 0
		return
	}
	// Is the end of item i within h rows of the top?
	cw := w - 2
	used := -topRow
	for j := top; j <= i; j++ {
		used += len(c.itemRows(j, cw, st))
	}
	if used > h {
		c.scroll(used-h, w, h, st)
	}
}

// unselect returns to "explain the newest line" and follows again.
func (c *convo) unselect() {
	c.selected = -1
	c.follow = true
}
