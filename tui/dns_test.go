package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

var _ Component = (*dnsEditor)(nil)

// The world's DNS from the sandbox: ctrl+o lists the records, a line
// changes one (example.com's SPF now allows no host), and the MX session
// open underneath refuses example.com's next message by that record.
func TestSandboxDNSBreaksSPF(t *testing.T) {
	tm := startTUI(t, testOptions(t), 120, 40)
	openSandbox(t, tm, "2", "220 ")
	typeLine(tm, "EHLO laptop.example.com")
	typeLine(tm, "MAIL FROM:<alice@example.com>")
	waitFor(t, tm, "S: 250 2.1.0 Roger, accepting mail from <alice@example.com>")
	typeLine(tm, "RSET")

	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlO})
	waitFor(t, tm, "The world's DNS", `TXT  "v=spf1 ip4:127.0.0.0/8 -all"`, "mail._domainkey.example.com TXT", "dns>")
	// A line the zone cannot read is refused and stays to be corrected.
	typeLine(tm, "example.com SPF nonsense")
	waitFor(t, tm, "✗ not changed")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	typeLine(tm, `example.com TXT "v=spf1 -all"`)
	waitFor(t, tm, "✓ set: example.com TXT", `example.com                 TXT  "v=spf1 -all"`)
	tm.Send(press(tea.KeyEsc)) // closes the DNS page, back to the session
	typeLine(tm, "MAIL FROM:<alice@example.com>")
	waitFor(t, tm, "S: 550 5.7.1 <alice@example.com>: Sender address rejected: SPF fail")
	v := finalView(t, tm)
	mustContain(t, v, "✗ fail", "laptop>")
	if strings.Contains(v, "The world's DNS") {
		t.Errorf("esc did not close the DNS page:\n%s", v)
	}
}

// The lesson screen opens the same page on the lesson's own world, and the
// F1 page names the key.
func TestLessonDNSPage(t *testing.T) {
	c := testCommon(100, 30)
	ls := newTestLesson(t, c)
	d := drive(t, ls)
	d.do(ls.Init())
	d.until("220 ")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlO})
	v := ls.View()
	fits(t, v, 100, 30)
	mustContain(t, v, "The world's DNS", "_dmarc.example.com", "v=DMARC1; p=reject", "dns>", "close DNS")
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("-_dmarc.example.com TXT")})
	d.send(press(tea.KeyEnter))
	v = ls.View()
	mustContain(t, v, "✓ removed: _dmarc.example.com TXT")
	if strings.Contains(v, "_dmarc.example.com  ") {
		t.Errorf("the removed record is still listed:\n%s", v)
	}
	d.send(press(tea.KeyEsc))
	if strings.Contains(ls.View(), "The world's DNS") {
		t.Errorf("esc did not close the DNS page")
	}
	mustContain(t, helpMarkdown(c.KeyMap, "/tmp"), "ctrl+o", "DNS")
}

// The sandbox opens on its "open a session" picker: ctrl+o works there
// too, and esc goes back to the picker.
func TestSandboxPickerDNS(t *testing.T) {
	c := testCommon(100, 30)
	sb := newSandbox(c, newTestWorld(t), t.TempDir())
	defer sb.close()
	sb.Update(tea.KeyMsg{Type: tea.KeyCtrlO})
	mustContain(t, sb.View(), "The world's DNS", "dns>")
	sb.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2")}) // typed into the DNS line, not a choice
	mustContain(t, sb.View(), "dns> 2")
	sb.Update(press(tea.KeyEsc))
	mustContain(t, sb.View(), "Open a session")
	if reqs := c.takeRequests(); len(reqs) != 0 {
		t.Errorf("esc on the DNS page asked the root for %#v", reqs)
	}
}
