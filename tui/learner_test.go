package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// The learner's screen (issue 25), tried as a new learner would at 80x24
// and 120x40: each point as the keys typed and the screen expected.

// openSandboxPicker opens the Sandbox from the home screen, up to its
// "which server?" picker.
func openSandboxPicker(t *testing.T, w, h int) *teatest.TestModel {
	t.Helper()
	tm := startTUI(t, testOptions(t), w, h)
	waitFor(t, tm, "Sandbox")
	tm.Type("Sandbox")
	tm.Send(press(tea.KeyEnter))
	waitFor(t, tm, "Open a session")
	return tm
}

// The Sandbox names the world's users and their passwords before the
// learner picks a server, and says which key builds an AUTH PLAIN line.
func TestLearnerSandboxShowsTheWorldsUsers(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openSandboxPicker(t, w, h)
		// The picker's first frame holds the users: waitFor above has
		// consumed it, so read the screen as it stands.
		mustContain(t, finalView(t, tm), "alice@example.com", "wonderland", "bob@example.org", "builder", "AUTH PLAIN")
	})
}

// ctrl+g puts the AUTH PLAIN line of the world's first user on the input
// line, in the form the session's protocol wants (SMTP and POP3: AUTH
// PLAIN; IMAP: a tagged AUTHENTICATE PLAIN); pressed again, the next user.
func TestLearnerBuildAuthPlain(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openSandboxPicker(t, w, h)
		tm.Type("1") // submission
		waitFor(t, tm, "220 ", "laptop>")
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlG})
		waitFor(t, tm, "laptop> AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=")
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlG})
		waitFor(t, tm, "laptop> AUTH PLAIN AGJvYkBleGFtcGxlLm9yZwBidWlsZGVy")
	})
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openSandboxPicker(t, w, h)
		tm.Type("4") // IMAP
		waitFor(t, tm, "* OK", "laptop>")
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlG})
		waitFor(t, tm, "AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ=")
	})
}

// The server descriptions in the Sandbox's picker wrap inside their pane:
// none is cut at the pane's edge.
func TestLearnerSandboxDescriptionsWrap(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openSandboxPicker(t, w, h)
		v := finalView(t, tm)
		for _, last := range []string{"logged-in user", "each other", "the mailbox", "on the server"} {
			if !strings.Contains(flatLeft(v), last) {
				t.Errorf("%q is cut off:\n%s", last, v)
			}
		}
	})
}

// An IMAP literal's text is shown in the conversation, folded after a few
// lines, not only as "[literal: N bytes]".
func TestLearnerLiteralTextIsShown(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openSandboxPicker(t, w, h)
		tm.Type("4") // IMAP
		waitFor(t, tm, "* OK", "laptop>")
		typeLine(tm, "a1 LOGIN alice@example.com wonderland")
		waitFor(t, tm, "a1 OK")
		typeLine(tm, "a2 APPEND INBOX {22}")
		waitFor(t, tm, "literal>")
		for _, l := range []string{"Subject: hi", "", "hello"} {
			typeLine(tm, l)
		}
		typeLine(tm, "") // the APPEND's command line ends after its literal
		waitFor(t, tm, "a2 OK")
		v := finalView(t, tm)
		mustContain(t, v, "Subject: hi", "hello")
	})
}

// POP3's folded header lines show their leading tab as space, not as
// the two characters \t: every row the conversation draws for the TOP
// response is checked, not only those on screen at the end.
func TestLearnerFoldedHeaderTab(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openSandboxPicker(t, w, h)
		tm.Type("3") // POP3
		waitFor(t, tm, "+OK", "laptop>")
		typeLine(tm, "USER alice@example.com")
		typeLine(tm, "PASS wonderland")
		waitFor(t, tm, "TRANSACTION")
		typeLine(tm, "TOP 1 0")
		waitFor(t, tm, "end of the TOP response")
		if err := tm.Quit(); err != nil {
			t.Fatal(err)
		}
		m := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
		defer m.shutdown()
		s := m.sandbox.ws.sessions.current()
		var rows []string
		for i := range s.convo.items {
			rows = append(rows, s.convo.itemRows(i, w, &m.c.Styles)...)
		}
		all := strings.Join(rows, "\n")
		if !strings.Contains(all, "ESMTPSA") {
			t.Errorf("the folded Received line is not in the conversation:\n%s", all)
		}
		if strings.Contains(all, `\t`) {
			t.Errorf(`a folded header line shows \t:`+"\n%s", all)
		}
	})
}

// The home screen says that more entries wait below the fold.
func TestLearnerHomeSaysMoreBelow(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		opts := testOptions(t)
		opts.NoBuiltinLessons = false
		opts.LessonDirs = nil
		tm := startTUI(t, opts, sz.w, sz.h)
		waitFor(t, tm, "Your first SMTP conversation")
		v := finalView(t, tm)
		if strings.Contains(v, "Replay a transcript") {
			continue // everything fits: nothing to say
		}
		if !strings.Contains(v, "↓") || !strings.Contains(v, "more") {
			t.Errorf("%dx%d: entries below the fold and no word of them:\n%s", sz.w, sz.h, v)
		}
	}
}

// Typing a filter and Enter opens the entry shown selected, the one that
// best matches the words typed: "Watch" opens the watch screen, not the
// first lesson whose summary mentions watching.
func TestLearnerFilterEnterOpensTheBestMatch(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		opts := testOptions(t)
		opts.NoBuiltinLessons = false
		opts.LessonDirs = nil
		tm := startTUI(t, opts, w, h)
		waitFor(t, tm, "Your first SMTP conversation")
		tm.Type("Watch")
		tm.Send(press(tea.KeyEnter))
		waitFor(t, tm, "set-up card", "Findings")
	})
}

// At 80x24 the footer's keys are not cut, and a lesson's headings are
// rendered, not shown as Markdown (## Heading).
func TestLearnerFooterAndHeadings(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openBuiltin(t, "17-pop3-two-devices.md", "pop3-two-devices", 0, w, h)
		v := finalView(t, tm)
		lines := strings.Split(v, "\n")
		footer := lines[len(lines)-1]
		if strings.Contains(footer, "…") || !strings.Contains(footer, "esc") {
			t.Errorf("footer cut: %q", footer)
		}
		for _, l := range lines {
			if strings.Contains(l, "## ") {
				t.Errorf("raw Markdown heading on screen: %q", l)
			}
		}
	})
}

// flatLeft joins the screen's lines, each cut at the first pane border, so
// a text wrapped in the left pane reads as one.
func flatLeft(v string) string {
	var b strings.Builder
	for _, l := range strings.Split(v, "\n") {
		if i := strings.Index(l, "│"); i >= 0 {
			l = l[:i]
		}
		b.WriteString(strings.TrimSpace(l))
		b.WriteString(" ")
	}
	return b.String()
}

// Lesson 17's last step has five session tabs, too many for one header
// line: the tabs scroll so the active one (4, the laptop's IMAP session)
// shows, and the footer names ctrl+n/p, the keys that switch sessions.
func TestLearnerActiveTabAndSessionKeys(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openBuiltin(t, "17-pop3-two-devices.md", "pop3-two-devices", 10, w, h, "IMAP server ready")
		v := finalView(t, tm)
		lines := strings.Split(v, "\n")
		if !strings.Contains(lines[0], "4 Alice's laptop (IMAP)") {
			t.Errorf("the active tab is not in the header: %q", lines[0])
		}
		if footer := lines[len(lines)-1]; !strings.Contains(footer, "ctrl+n/p") {
			t.Errorf("the footer does not say how to switch sessions: %q", footer)
		}
	})
}

// Once an IMAP literal is complete, the line above the input says that
// the command line goes on and Enter ends it; a password sent as a
// literal is never shown.
func TestLearnerLiteralSaysTheLineGoesOn(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		tm := openSandboxPicker(t, w, h)
		tm.Type("4") // IMAP
		waitFor(t, tm, "* OK", "laptop>")
		typeLine(tm, "a1 LOGIN alice@example.com {10}")
		waitFor(t, tm, "literal>")
		typeLine(tm, "wonderland") // exactly the 10 bytes: the line goes on
		waitFor(t, tm, "Enter ends it")
		typeLine(tm, "")
		waitFor(t, tm, "a1 OK")
		v := finalView(t, tm)
		if strings.Contains(v, "wonderland") || strings.Contains(v, "Enter ends it") {
			t.Errorf("the password, or a stale hint, on screen:\n%s", v)
		}
	})
}
