package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// writeThreeSessions saves a transcript of three interleaved sessions: a
// mail program submitting, another reading IMAP, and the world's relay
// hop to the MX.
func writeThreeSessions(t *testing.T) string {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	seq := uint64(0)
	line := func(s wire.SessionID, p wire.Proto, role wire.Role, dir wire.Dir, text, verb, answers string, ok bool) transcripts.Line {
		seq++
		return transcripts.Line{Seq: seq, Session: s, Proto: p, Role: role, Dir: dir, Kind: wire.Line,
			Time: at.Add(time.Duration(seq) * time.Second), Text: text, Raw: []byte(text + "\r\n"),
			Verb: verb, Answers: answers, OK: ok, Note: "note " + fmt.Sprint(seq), Detail: "The **detail** of line " + fmt.Sprint(seq)}
	}
	sub, imap, mx := wire.SessionID("s1"), wire.SessionID("s2"), wire.SessionID("s3")
	S, C := wire.FromServer, wire.FromClient
	tr := &transcripts.Transcript{
		Version: transcripts.FormatVersion, Title: "three", Created: at,
		Sessions: []transcripts.SessionInfo{
			{ID: sub, Proto: wire.SMTP, Role: wire.RoleSubmission, Peer: "127.0.0.1:40001", Opened: at},
			{ID: imap, Proto: wire.IMAP, Role: wire.RoleIMAP, Peer: "127.0.0.1:40002", Opened: at},
			{ID: mx, Proto: wire.SMTP, Role: wire.RoleMX, Peer: "relay hop from mail.example.com", Opened: at},
		},
		Lines: []transcripts.Line{
			line(sub, wire.SMTP, wire.RoleSubmission, S, "220 mail.example.com ESMTP", "", "<greeting>", true),
			line(imap, wire.IMAP, wire.RoleIMAP, S, "* OK IMAP4rev1 ready", "", "<greeting>", true),
			line(sub, wire.SMTP, wire.RoleSubmission, C, "EHLO laptop.example.com", "EHLO", "", false),
			line(imap, wire.IMAP, wire.RoleIMAP, C, "a1 LOGIN bob ****", "LOGIN", "", false),
			line(sub, wire.SMTP, wire.RoleSubmission, S, "250 mail.example.com", "", "EHLO", true),
			line(imap, wire.IMAP, wire.RoleIMAP, S, "a1 NO [UNAVAILABLE] try later", "", "LOGIN", false),
			line(mx, wire.SMTP, wire.RoleMX, S, "220 mx.example.org ESMTP", "", "<greeting>", true),
			line(mx, wire.SMTP, wire.RoleMX, C, "EHLO mail.example.com", "EHLO", "", false),
			line(mx, wire.SMTP, wire.RoleMX, S, "550 5.7.1 SPF fail", "", "EHLO", false),
		},
	}
	path := filepath.Join(t.TempDir(), "three.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := tr.Save(f); err != nil {
		t.Fatal(err)
	}
	return path
}

// rowWith is the first row of v holding every string, or -1.
func rowWith(v string, want ...string) int {
	for i, row := range strings.Split(v, "\n") {
		all := true
		for _, w := range want {
			all = all && strings.Contains(row, w)
		}
		if all {
			return i
		}
	}
	return -1
}

// Replay shows each session in a lane of its own under its label: side by
// side at 120 columns, one below the other at 80; stepping back takes a
// line out of its lane.
func TestReplayLanes(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			opts := testOptions(t)
			opts.ReplayFile = writeThreeSessions(t)
			tm := startTUI(t, opts, sz.w, sz.h)
			waitFor(t, tm, "line 1 of 9")
			for i := 0; i < 8; i++ {
				tm.Send(press(tea.KeyRight))
			}
			waitFor(t, tm, "line 9 of 9")
			tm.Send(press(tea.KeyLeft))
			waitFor(t, tm, "line 8 of 9")
			v := finalView(t, tm)
			fits(t, v, sz.w, sz.h)
			wide := sz.w >= 120
			lanes := []struct{ label, line string }{
				{"s1 · SMTP (submission)", "S: 250 mail.example.com"}, {"s2 · IMAP (imap)", "a1 NO [UNAVAILABLE]"},
				{"s3 · SMTP (mx) · relay hop", "C: EHLO mail.example.com"},
			}
			mustContain(t, v, "3 sessions", "⧗ temp")
			if !wide {
				// Two lanes fit one below the other: the two with the
				// newest lines.
				mustContain(t, v, "the 2 newest shown")
				if strings.Contains(v, "s1 · SMTP") {
					t.Errorf("the oldest session's lane is drawn at %d rows:\n%s", sz.h, v)
				}
				lanes = lanes[1:]
			}
			if strings.Contains(v, "550 5.7.1") {
				t.Errorf("the line stepped back over is still shown:\n%s", v)
			}
			// The lines sit in their session's lane: each under its label.
			for _, c := range lanes {
				if l, r := rowWith(v, c.label), rowWith(v, c.line); l < 0 || r <= l {
					t.Errorf("%q (row %d) is not under %q (row %d):\n%s", c.line, r, c.label, l, v)
				}
			}
			sideBySide := rowWith(v, "s2 · IMAP", "s3 · SMTP") >= 0
			if sideBySide != wide {
				t.Errorf("at %d columns lanes side by side: %v, want %v:\n%s", sz.w, sideBySide, wide, v)
			}
			if wide {
				mustContain(t, v, "laptop.example.com at 127.0.0.1:40001", "client 127.0.0.1:40002", "from mail.example.com", "TLS: none")
			}
		})
	}
}

// A long transcript is read from its file as it is shown: a lane holds
// its newest lines only (a window), whether stepped through or jumped
// across, and shows the right ones.
func TestReplayReadsLinesFromTheFile(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tr := &transcripts.Transcript{Version: transcripts.FormatVersion, Title: "long", Created: at}
	const n = 3000
	for i := 1; i <= n; i++ {
		dir, text := wire.FromClient, fmt.Sprintf("NOOP %d", i)
		if i%2 == 0 {
			dir, text = wire.FromServer, fmt.Sprintf("250 2.0.0 ok %d", i)
		}
		tr.Lines = append(tr.Lines, transcripts.Line{Seq: uint64(i), Session: "s1", Proto: wire.SMTP, Role: wire.RoleMX,
			Dir: dir, Kind: wire.Line, Time: at, Text: text, Raw: []byte(text + "\r\n")})
	}
	path := filepath.Join(t.TempDir(), "long.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Save(f); err != nil {
		t.Fatal(err)
	}
	f.Close()

	c := testCommon(120, 40)
	r := newReplayPicker(c, t.TempDir())
	r.setPath(path)
	_, cmd := r.Update(press(tea.KeyEnter))
	r.loaded(cmd().(replayMsg))
	defer r.close()
	lane := r.lanes[0]
	check := func(shown int, newest string) {
		t.Helper()
		v := r.View()
		fits(t, v, 120, 40)
		mustContain(t, v, fmt.Sprintf("line %d of %d", shown, n), newest)
		if k := len(lane.convo.items); k > 2*replayWindow || k == 0 {
			t.Errorf("%d lines read into the lane", k)
		}
		if got := lane.convo.items[len(lane.convo.items)-1].Text; !strings.HasSuffix(newest, got) {
			t.Errorf("newest line read %q, want %q", got, newest)
		}
	}
	check(1, "C: NOOP 1")
	r.Update(press(tea.KeyEnd))
	check(n, "S: 250 2.0.0 ok 3000")
	for i := 0; i < 3; i++ {
		r.Update(press(tea.KeyLeft))
	}
	check(n-3, "C: NOOP 2997")
	r.Update(press(tea.KeyHome))
	check(1, "C: NOOP 1")
	for i := 0; i < 2*replayWindow+10; i++ { // stepping past the window slides it
		r.Update(press(tea.KeyRight))
	}
	check(2*replayWindow+11, fmt.Sprintf("C: NOOP %d", 2*replayWindow+11))
	if strings.Contains(r.View(), "C: NOOP 1 ") {
		t.Errorf("the first line is still drawn")
	}
}
