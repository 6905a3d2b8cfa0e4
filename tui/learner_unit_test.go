package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// A help line at any width leaves whole bindings out, never cuts one, and
// keeps esc (back) to the last.
func TestHelpLineFitsWithoutCutting(t *testing.T) {
	c := Common{look: &look{Styles: DefaultStyles(testRenderer(), true)}, KeyMap: DefaultKeyMap()}
	for _, bs := range [][]key.Binding{c.KeyMap.SessionShortHelp(true, 2), c.KeyMap.SessionShortHelp(false, 1)} {
		for w := 20; w <= 140; w++ {
			l := c.helpLine(bs, w)
			if ansi.StringWidth(l) > w || strings.HasSuffix(l, "…") || !strings.HasSuffix(l, "esc back") {
				t.Errorf("width %d: %q", w, l)
			}
		}
	}
}

// The tag ctrl+g puts before AUTHENTICATE follows the session's last one.
func TestNextTagAndAuthPlainLine(t *testing.T) {
	s := &session{convo: newConvo()}
	if got := s.nextTag(); got != "a1" {
		t.Errorf("no tag yet: %q", got)
	}
	for _, c := range []struct{ last, next string }{{"a1", "a2"}, {"A009", "A010"}, {"x", "x1"}, {"l2", "l3"}} {
		s.convo = newConvo()
		s.convo.add(item{Dir: wire.FromClient, Tag: c.last}, item{Dir: wire.FromServer, Tag: "zz9"})
		if got := s.nextTag(); got != c.next {
			t.Errorf("after %s: %q, want %q", c.last, got, c.next)
		}
	}
	u := worldUser{Address: "alice@example.com", Password: "wonderland"}
	if got := authPlainLine(wire.POP3, "", u); got != "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=" {
		t.Errorf("POP3: %q", got)
	}
	if got := authPlainLine(wire.IMAP, "a3", u); got != "a3 AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=" {
		t.Errorf("IMAP: %q", got)
	}
}

// The tab bar keeps the active tab, with marks for the tabs left out.
func TestTabWindowKeepsTheActiveTab(t *testing.T) {
	tabs := []string{" 1 one ", " 2 two ", " 3 three ", " 4 four ", " 5 five "}
	for active := range tabs {
		got, ok := tabWindow(tabs, active, 20)
		if !ok || !strings.Contains(got, tabs[active]) || ansi.StringWidth(got) > 20 {
			t.Errorf("active %d: %q %v", active, got, ok)
		}
	}
	if got, _ := tabWindow(tabs, 4, 20); !strings.HasPrefix(got, "‹ ") {
		t.Errorf("no mark for the tabs before: %q", got)
	}
}
