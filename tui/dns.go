package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/dns"
)

// dnsWorld is a world whose DNS the learner can read and change: the live
// simulator's (issue 24). A world without it has no DNS page.
type dnsWorld interface {
	// DNSRecords lists the world's records, sorted.
	DNSRecords() []dns.Record
	// SetDNS changes one record as serve's --dns flag does: `NAME TYPE
	// VALUE` sets (replacing the name's record of that kind), `-NAME TYPE`
	// removes.
	SetDNS(line string) error
}

func (w *liveWorld) DNSRecords() []dns.Record { return w.sim.DNS().Records() }
func (w *liveWorld) SetDNS(line string) error { return w.sim.SetDNS(line) }

// dnsEditor is the DNS page of a live screen: the world's records, and a
// line to change one, so that a learner can break SPF and see the next
// message refused. It takes the conversation's place and the input line
// while it is open; the sessions go on underneath.
type dnsEditor struct {
	c      Common
	zone   dnsWorld
	shown  bool
	input  lineEditor
	result string // what the last change did, or why it was refused
	failed bool
	offset int // first record shown
}

func newDNSEditor(c Common, w world) *dnsEditor {
	z, ok := w.(dnsWorld)
	if !ok {
		return nil
	}
	return &dnsEditor{c: c, zone: z}
}

func (d *dnsEditor) Init() tea.Cmd    { return nil }
func (d *dnsEditor) SetSize(w, h int) { d.c.SetSize(w, h) }

func (d *dnsEditor) ShortHelp() []key.Binding {
	km := d.c.KeyMap
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		km.PageDn,
		key.NewBinding(key.WithKeys("esc"), key.WithHelp(km.DNS.Help().Key+"/esc", "close DNS")),
		km.Help,
	}
}
func (d *dnsEditor) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// toggle opens or closes the page.
func (d *dnsEditor) toggle() { d.shown, d.offset = !d.shown, 0 }

// Update edits the line and applies it on Enter; esc or the DNS key
// closes the page.
func (d *dnsEditor) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	km := d.c.KeyMap
	switch {
	case key.Matches(k, km.Back, km.DNS):
		d.toggle()
	case k.Type == tea.KeyEnter:
		d.apply(d.input.Value())
	case key.Matches(k, km.PageUp):
		d.offset = max(0, d.offset-5)
	case key.Matches(k, km.PageDn):
		d.offset += 5
	case k.Paste:
		d.input.insert(k.Runes)
	default:
		d.input.handleKey(k)
	}
	return d, nil
}

// apply changes one record and says what it did.
func (d *dnsEditor) apply(line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		d.result, d.failed = "Type a record first: NAME TYPE VALUE sets one, -NAME TYPE removes.", true
		return
	}
	if err := d.zone.SetDNS(line); err != nil {
		// The line stays, to be corrected.
		d.result, d.failed = "✗ not changed: "+err.Error(), true
		return
	}
	d.input.Reset(line)
	d.failed = false
	if strings.HasPrefix(line, "-") {
		d.result = "✓ removed: " + strings.TrimSpace(line[1:]) + ". The next message the MX receives is checked without it."
		return
	}
	d.result = "✓ set: " + line + ". The next message the MX receives is checked against it."
}

// lines draws the page in a box of w×h.
func (d *dnsEditor) lines(w, h int) []string {
	st := &d.c.Styles
	var out []string
	add := func(style func(...string) string, s string) {
		for _, l := range wrapText(s, w-2) {
			out = append(out, " "+style(l))
		}
	}
	add(st.Accent.Render, "The world's DNS")
	add(st.Subtle.Render, "The MX checks SPF, DKIM and DMARC against these records (nothing leaves this machine). "+
		"NAME TYPE VALUE sets one (replacing the name's record of that kind), -NAME TYPE removes; Enter applies. "+
		"To see mail from example.com refused (550 5.7.1), break its SPF record:")
	out = append(out, "   "+st.Accent.Render(`example.com TXT "v=spf1 -all"`))
	if d.result != "" {
		style := st.Success.Render
		if d.failed {
			style = st.Error.Render
		}
		add(style, printable(d.result))
	}
	out = append(out, "")
	recs := d.zone.DNSRecords()
	nameW := 4
	for _, r := range recs {
		nameW = max(nameW, len(r.Name))
	}
	nameW = min(nameW, max(8, w/2))
	out = append(out, st.Subtle.Render(ansi.Truncate(fmt.Sprintf(" %-*s %-4s %s", nameW, "NAME", "TYPE", "VALUE"), w, "…")))
	room := max(1, h-len(out))
	d.offset = max(0, min(d.offset, len(recs)-room))
	for _, r := range recs[d.offset:] {
		v := r.Value
		if r.Type == dns.TXT {
			v = `"` + v + `"`
		}
		name := ansi.Truncate(r.Name, nameW, "…")
		out = append(out, ansi.Truncate(fmt.Sprintf(" %-*s %-4s %s", nameW, name, r.Type, printable(v)), w, "…"))
	}
	return out
}

// dnsWants reports whether a key is the DNS page's: the page is open, or
// the key opens it (a screen with keys of its own, like the sandbox's
// picker, lets these through to the workspace).
func (ws *workspace) dnsWants(msg tea.KeyMsg) bool {
	return ws.dns != nil && (ws.dns.shown || key.Matches(msg, ws.c.KeyMap.DNS))
}

// View draws the page in its box (see SetSize).
func (d *dnsEditor) View() string { return strings.Join(d.lines(d.c.Width, d.c.Height), "\n") }
