package lessons

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixedClock() func() time.Time {
	return func() time.Time { return time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC) }
}

func TestProgressRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p, notice, err := OpenProgress(ProgressOptions{Dir: dir, Now: fixedClock()})
	if err != nil || notice != "" {
		t.Fatal(err, notice)
	}
	p.Record("smtp-first-conversation", 3, false)
	p.Record("pop3-first-conversation", 6, true)
	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
	q, notice, err := OpenProgress(ProgressOptions{Dir: dir, Now: fixedClock()})
	if err != nil || notice != "" {
		t.Fatal(err, notice)
	}
	if got := q.Get("smtp-first-conversation"); got.Step != 3 || got.Done {
		t.Errorf("smtp: %+v", got)
	}
	if got := q.Get("pop3-first-conversation"); !got.Done || got.Completed.IsZero() {
		t.Errorf("pop3: %+v", got)
	}
	if d := q.Done(); len(d) != 1 || d[0] != "pop3-first-conversation" {
		t.Errorf("done %v", d)
	}
	// Replaying a finished lesson keeps it finished.
	q.Record("pop3-first-conversation", 0, false)
	if !q.Get("pop3-first-conversation").Done {
		t.Error("replay un-finished the lesson")
	}
}

func TestProgressCorruptFileMovedAside(t *testing.T) {
	for _, content := range []string{"{not json", "[1,2,3]", `{"lessons": 7}`, "\x00\x01"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "progress.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		p, notice, err := OpenProgress(ProgressOptions{Dir: dir, Now: fixedClock()})
		if err != nil {
			t.Fatalf("%q: %v", content, err)
		}
		if len(p.Lessons) != 0 || !strings.Contains(notice, "progress.json.corrupt-20261125T210000Z") {
			t.Errorf("%q: notice %q, lessons %v", content, notice, p.Lessons)
		}
		kept, err := os.ReadFile(path + ".corrupt-20261125T210000Z")
		if err != nil || string(kept) != content {
			t.Errorf("%q: the damaged file was not kept: %v", content, err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%q: damaged file still in place", content)
		}
		// The learner carries on: saving works.
		p.Record("x", 1, false)
		if err := p.Save(); err != nil {
			t.Error(err)
		}
	}
}

func TestProgressEmptyFileIsFine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "progress.json"), []byte("{}"), 0o600)
	_, notice, err := OpenProgress(ProgressOptions{Dir: dir})
	if err != nil || notice != "" {
		t.Errorf("%v %q", err, notice)
	}
}

func TestStateDirFollowsXDG(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	got, err := StateDir()
	if err != nil || got != filepath.Join(dir, "mailtutor") {
		t.Errorf("%q %v", got, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", dir)
	got, _ = StateDir()
	if got != filepath.Join(dir, ".local", "state", "mailtutor") {
		t.Errorf("fallback %q", got)
	}
}
