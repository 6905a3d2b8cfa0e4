package transcripts

import (
	"fmt"
	"iter"
	"strings"
	"unicode/utf8"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// A session drawn as a sequence diagram in inline SVG: a lane for the
// client and one for the server, each command an arrow to the server,
// each reply an arrow back (a multi-line reply is one arrow that says how
// many lines it had), session events (connected, TLS, closed) as bands
// across the lanes, and a relay hop the session caused (the simulator's
// own server handing the message to another domain's MX) as a second
// pair of lanes beside the first. No script, no external resource: the
// figure prints as it shows.

// maxDiagramRows bounds one diagram: a session of a million lines is drawn
// up to here and the rest said in a last band (the list below the diagram
// has every line).
const maxDiagramRows = 160

// diagramPageRows is how many rows one <svg> holds: a part that fits a
// printed page.
const diagramPageRows = 24

// diagramRow is one step of the diagram.
type diagramRow struct {
	seq       uint64
	from, to  int    // lanes; from == to: a band across the pair
	label     string // the line, or a reply's first line
	sub       string // a second line: "+6 lines, 260 bytes; next: From: Alice…"
	class     string // arrow colour: client, success, warning, error, info
	encrypted bool
	lines     int // lines of the wire this row stands for (a grouped reply)
	bytes     int
	next      string // a grouped reply's second line
	done      bool   // the reply is complete: the next server line starts a new row
}

// rowBuilder turns a session's lines into diagram rows, one line at a
// time: replies of several lines (an EHLO list, a RETR) are one row, rows
// past limit are counted in more, and the stretches from a message body
// to the reply to it are kept in windows (a relay hop starts in one).
type rowBuilder struct {
	pair    int // the lanes' offset: 0 for the first pair, 2 for a relay hop's
	limit   int
	rows    []diagramRow
	more    int
	windows [][2]uint64
	start   uint64 // Seq of the message body waiting for its reply
	open    bool
}

// diagramRows reads a session's lines into rows on the lanes from pair.
func diagramRows(lines iter.Seq[Line], pair, limit int) (rows []diagramRow, more int) {
	b := rowBuilder{pair: pair, limit: limit}
	for l := range lines {
		b.add(l)
	}
	return b.rows, b.more
}

func (b *rowBuilder) add(l Line) {
	pair := b.pair
	switch {
	case l.Dir == wire.FromClient && l.Kind == wire.Payload:
		b.start, b.open = l.Seq, true
	case b.open && l.Dir == wire.FromServer && l.Complete:
		if len(b.windows) < maxWindows {
			b.windows = append(b.windows, [2]uint64{b.start, l.Seq})
		}
		b.open = false
	}
	if n := len(b.rows); n > 0 {
		last := &b.rows[n-1]
		if l.Dir == wire.FromServer && l.Kind == wire.Line && last.from == pair+1 && last.to == pair && last.lines > 0 && !last.done {
			if last.lines == 1 {
				last.next = l.Text
			}
			last.lines++
			last.bytes += len(l.Raw)
			if l.Level > Info {
				last.class = l.Level.String()
			}
			last.done = l.Complete
			last.sub = fmt.Sprintf("+%d more lines, %s bytes; next: %s", last.lines-1, commas(last.bytes), last.next)
			return
		}
	}
	if len(b.rows) >= b.limit {
		b.more++
		return
	}
	r := diagramRow{seq: l.Seq, label: l.Text, encrypted: l.Encrypted, class: "info"}
	switch l.Dir {
	case wire.FromClient:
		r.from, r.to, r.class = pair, pair+1, "client"
	case wire.FromServer:
		r.from, r.to = pair+1, pair
		if l.Level != Info {
			r.class = l.Level.String()
		}
		if l.Kind == wire.Line {
			r.lines, r.bytes, r.done = 1, len(l.Raw), l.Complete
		}
	default:
		r.from, r.to = pair, pair
		r.label = strings.TrimSuffix(strings.TrimPrefix(l.Text, "["), "]")
	}
	if l.Kind == wire.Payload {
		// "[message body: 115 bytes, 6 lines, …]": its size, and
		// its first line under the arrow.
		r.label = strings.TrimSuffix(strings.TrimPrefix(l.Text, "["), "]")
		r.sub = payloadSummary(l)
	}
	b.rows = append(b.rows, r)
}

// payloadSummary is a payload's first line: "first line: From: Alice
// <alice@example.com>" (its size is in the row's label). A secret
// payload shows nothing of itself.
func payloadSummary(l Line) string {
	if l.Secret {
		return "(a credential: not shown)"
	}
	raw := string(l.Raw)
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) != "" {
			return "first line: " + wire.Visible(line)
		}
	}
	return "(empty)"
}

// commas writes n with thousands separators.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// clip cuts s to n characters with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// diagram is what writeDiagram draws.
type diagram struct {
	title   string   // for screen readers: "Sequence diagram of session s1"
	caption string   // what the figure shows, in words
	lanes   []string // 2 or 4 lane heads
	rows    []diagramRow
	more    int // lines not drawn
}

// writeDiagram writes the diagram as an inline <svg>. Every text goes
// through htmlText (escaped, no control character).
func writeDiagram(b *strings.Builder, d diagram) {
	const (
		rowH    = 30
		headH   = 44
		width   = 760
		margin  = 10
		fontW   = 6.7 // monospace 11px, for clipping labels to their arrow
		laneGap = 4
	)
	e := htmlText
	n := len(d.lanes)
	xs := make([]int, n)
	headW := (width - 2*margin - (n-1)*laneGap*4) / n
	for i := range xs {
		xs[i] = margin + headW/2 + i*(headW+laneGap*4)
	}
	rows := d.rows
	height := headH + (len(rows)+1)*rowH + 10
	if d.more > 0 {
		height += rowH
	}
	fmt.Fprintf(b, `<svg class="seq" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		width, height, width, height, e(d.title))
	fmt.Fprintf(b, "<title>%s</title>", e(d.title))
	b.WriteString(`<defs><marker id="` + "ah" + `" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>`)
	// Encrypted rows get a tinted band behind them.
	for i, r := range rows {
		if r.encrypted {
			y := headH + i*rowH + 4
			fmt.Fprintf(b, `<rect class="tlsband" x="0" y="%d" width="%d" height="%d"/>`, y, width, rowH)
		}
	}
	// Lane heads and their life lines.
	for i, name := range d.lanes {
		x := xs[i]
		fmt.Fprintf(b, `<rect class="lanehead" x="%d" y="4" width="%d" height="30" rx="4"/>`, x-headW/2, headW)
		fmt.Fprintf(b, `<text class="lanename" x="%d" y="23" text-anchor="middle">%s</text>`, x, e(clip(name, int(float64(headW)/fontW)-1)))
		fmt.Fprintf(b, `<line class="lifeline" x1="%d" y1="34" x2="%d" y2="%d"/>`, x, x, height-6)
	}
	if n == 4 {
		// The relay hop's client is the first pair's server: say so.
		y := headH - 4
		fmt.Fprintf(b, `<line class="handoff" x1="%d" y1="%d" x2="%d" y2="%d"/>`, xs[1], y, xs[2], y)
	}
	for i, r := range rows {
		y := headH + i*rowH + rowH/2 + 6
		x1, x2 := xs[r.from], xs[r.to]
		if r.from == r.to {
			// A band across the pair the row belongs to.
			left, right := xs[r.from], xs[min(r.from+1, n-1)]
			if r.from%2 == 1 {
				left, right = xs[r.from-1], xs[r.from]
			}
			fmt.Fprintf(b, `<line class="band" x1="%d" y1="%d" x2="%d" y2="%d"/>`, left-headW/2+6, y, right+headW/2-6, y)
			maxc := int(float64(right-left+headW-12) / fontW)
			fmt.Fprintf(b, `<text class="bandtext" x="%d" y="%d" text-anchor="middle">%s</text>`, (left+right)/2, y-4, e(clip(r.label, maxc)))
			continue
		}
		fmt.Fprintf(b, `<line class="arrow %s" x1="%d" y1="%d" x2="%d" y2="%d" marker-end="url(#ah)"/>`, r.class, x1, y, x2, y)
		// A label may run past its arrow's ends (each row holds one
		// arrow), but not out of the figure.
		cx := (x1 + x2) / 2
		room := 2*min(cx, width-cx) - 8
		fmt.Fprintf(b, `<text class="msg" x="%d" y="%d" text-anchor="middle">%s</text>`, cx, y-4, e(clip(r.label, int(float64(room)/fontW))))
		if r.sub != "" {
			fmt.Fprintf(b, `<text class="sub" x="%d" y="%d" text-anchor="middle">%s</text>`, cx, y+12, e(clip(r.sub, int(float64(room)/6.1))))
		}
	}
	if d.more > 0 {
		y := headH + len(rows)*rowH + rowH/2 + 6
		fmt.Fprintf(b, `<text class="bandtext" x="%d" y="%d" text-anchor="middle">%s</text>`, width/2, y,
			e(fmt.Sprintf("… %s more lines not drawn: every line is listed below", commas(d.more))))
	}
	b.WriteString("</svg>")
}

// relayHop is a session in which the simulator's own server handed a
// message on to another domain's MX.
type relayHop struct {
	info  SessionInfo
	first uint64 // Seq of its first line
	lines func() iter.Seq[Line]
}

// maxRelayHops bounds the relay hops a handout pairs with the sessions
// that caused them (a load test's thousands are drawn on their own only).
const maxRelayHops = 10000

// relayHops lists a handout's relay hop sessions, for sessionDiagram to
// draw beside the session that caused each. It needs to read sessions out
// of order, which both kinds of Handout allow.
func relayHops(t Handout) []relayHop {
	var out []relayHop
	switch t := t.(type) {
	case *Transcript:
		for _, s := range sessionsOf(t) {
			if len(out) < maxRelayHops && strings.HasPrefix(s.info.Peer, relayHopPeer) {
				lines := s.lines
				out = append(out, relayHop{info: s.info, first: lines[0].Seq, lines: func() iter.Seq[Line] { return sliceSeq(lines) }})
			}
		}
	case *TranscriptFile:
		for _, s := range t.sessions {
			if len(out) < maxRelayHops && strings.HasPrefix(s.Peer, relayHopPeer) {
				id := s.ID
				h := relayHop{info: s, lines: func() iter.Seq[Line] { return t.lines(id) }}
				for l := range h.lines() {
					h.first = l.Seq
					break
				}
				out = append(out, h)
			}
		}
	}
	return out
}

// sessionDiagram lays out one session's diagram: its own pair of lanes,
// and a second pair for each relay hop that began while the session's
// message was being taken (after its DATA or BDAT body, before the reply
// to it: the submission server relays before it answers).
func sessionDiagram(info SessionInfo, lb sessionLabel, f *sessionFacts, hops []relayHop) diagram {
	rows, more := f.rows.rows, f.rows.more
	client, server := "client", "server"
	if lb.hop {
		client = "relaying server"
	}
	if info.Peer != "" && !lb.hop {
		client += " " + info.Peer
	}
	if host := strings.Fields(lb.server); len(host) > 0 && !strings.HasPrefix(lb.server, "the ") && host[0] != "not" {
		server += " " + strings.TrimSuffix(host[0], ",")
	}
	if info.Role != "" {
		server += " (" + string(info.Role) + ")"
	}
	d := diagram{
		title: "Sequence diagram of session " + lb.id,
		lanes: []string{client, server},
		caption: "Session " + lb.id + ": the client's lane on the left, the server's on the right; time runs down. " +
			"A reply of several lines is one arrow that says how many.",
	}
	var paired []string
	if len(hops) > 0 && !lb.hop && info.Proto == wire.SMTP {
		for _, h := range hops {
			if !inWindows(h.first, f.rows.windows) {
				continue
			}
			if len(d.lanes) == 2 {
				name := "MX"
				if h.info.Role != "" {
					name += " (" + string(h.info.Role) + ")"
				}
				d.lanes = append(d.lanes, "relaying (as client)", name)
			}
			hrows, hmore := diagramRows(h.lines(), 2, maxDiagramRows)
			rows = mergeRows(rows, hrows)
			more += hmore
			paired = append(paired, string(h.info.ID))
		}
	}
	if len(rows) > maxDiagramRows {
		more += len(rows) - maxDiagramRows
		rows = rows[:maxDiagramRows]
	}
	if len(paired) > 0 {
		d.caption += " The second pair of lanes is the relay hop (session " + strings.Join(paired, ", ") +
			"): the server hands the message on to the recipient's MX before it answers the client."
	}
	if more > 0 {
		d.caption += " The first " + commas(len(rows)) + " steps are drawn; the list below has every line."
	}
	d.rows, d.more = rows, more
	return d
}

// maxWindows bounds the messages of one session that are checked for
// relay hops.
const maxWindows = 256

func inWindows(seq uint64, windows [][2]uint64) bool {
	for _, w := range windows {
		if seq > w[0] && seq < w[1] {
			return true
		}
	}
	return false
}

// mergeRows merges two lists of rows, each in wire order, by Seq.
func mergeRows(a, b []diagramRow) []diagramRow {
	out := make([]diagramRow, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if b[j].seq < a[i].seq {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
