package tui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
)

// noColorOptions are test options that leave the colour profile to
// NewModel, with NO_COLOR set: what a learner who asked for no colour gets.
func noColorOptions(t *testing.T) Options {
	t.Helper()
	t.Setenv("NO_COLOR", "1")
	opts := testOptions(t)
	opts.Profile = nil
	return opts
}

// seenUntil waits until the output holds every string, and returns all of
// it, escape sequences removed: every frame drawn until then, not only the
// last, so a frame that showed raw Markdown for a moment is caught too.
func seenUntil(t *testing.T, tm *teatest.TestModel, want ...string) string {
	t.Helper()
	var seen bytes.Buffer
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen.Write(b)
		s := ansi.Strip(seen.String())
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(60*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	return ansi.Strip(seen.String())
}

// noMarkdownMarks fails if Markdown's marks reached the screen.
func noMarkdownMarks(t *testing.T, what, s string) {
	t.Helper()
	for _, mark := range []string{"**", "##", "`", "# Help", "*What"} {
		if strings.Contains(s, mark) {
			i := strings.Index(s, mark)
			t.Errorf("%s: Markdown mark %q on screen: …%s…", what, mark, s[max(0, i-60):min(len(s), i+60)])
		}
	}
}

var noColorSizes = []struct{ w, h int }{{80, 24}, {120, 40}}

// Without colour, replay renders the explanations' Markdown and tells a
// success from a failure by a mark and a word, not by colour.
func TestNoColorReplay(t *testing.T) {
	for _, sz := range noColorSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			opts := noColorOptions(t)
			opts.ReplayFile = writeTestTranscript(t)
			tm := startTUI(t, opts, sz.w, sz.h)
			seen := seenUntil(t, tm, "line 1 of 5")
			for i := 0; i < 4; i++ {
				tm.Send(press(tea.KeyRight))
			}
			// The explanation rendered (its margin) is what is waited for.
			seen += seenUntil(t, tm, "line 5 of 5", "  The reply code of line 5")
			v := finalView(t, tm)
			noMarkdownMarks(t, "replay output", seen)
			noMarkdownMarks(t, "replay screen", v)
			mustContain(t, v, "✗ fail", "MAIL must come first")
			mustContain(t, seen, "✓ ok")
		})
	}
}

// Without colour, the home screen and its help page show no Markdown marks.
func TestNoColorHomeAndHelp(t *testing.T) {
	for _, sz := range noColorSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			opts := noColorOptions(t)
			tm := startTUI(t, opts, sz.w, sz.h)
			seen := seenUntil(t, tm, "Say hello to a server", "A tiny lesson")
			tm.Send(press(tea.KeyF1))
			// glamour's margin before the heading: the page has been rendered.
			seen += seenUntil(t, tm, "  Help", "  Keys")
			v := finalView(t, tm)
			noMarkdownMarks(t, "home and help output", seen)
			noMarkdownMarks(t, "help page", v)
		})
	}
}

// Without colour, the lesson screen renders the lesson's Markdown.
func TestNoColorLesson(t *testing.T) {
	for _, sz := range noColorSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			opts := noColorOptions(t)
			opts.StartLesson = "test-hello"
			tm := startTUI(t, opts, sz.w, sz.h)
			seen := seenUntil(t, tm, "EHLO introduces your computer", "220 ")
			typeLine(tm, "EHLO laptop.example.com")
			seen += seenUntil(t, tm, "Well done")
			v := finalView(t, tm)
			noMarkdownMarks(t, "lesson output", seen)
			noMarkdownMarks(t, "lesson screen", v)
			mustContain(t, seen, "✓ ok")
		})
	}
}
