package lessons

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodLesson = `---
id: tiny
title: Tiny
group: smtp
level: beginner
sessions:
  s: {role: mx}
---
Intro.

## Step: Hello

Say hello.

` + "```step" + `
goal:
  reply: {verb: EHLO, code: "250"}
solution:
  - EHLO me
` + "```" + `

The server answered.
`

func writeLesson(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadGoodLesson(t *testing.T) {
	dir := t.TempDir()
	writeLesson(t, dir, "tiny.md", goodLesson)
	writeLesson(t, dir, "README.md", "not a lesson")
	cat, errs := Load(false, dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l, ok := cat.Lesson("tiny")
	if !ok {
		t.Fatal("tiny not loaded")
	}
	st := l.Steps[0]
	if st.Kind != Live || st.Session != "s" || st.Goal.Reply.Session != "s" || st.Solution[0].Session != "s" {
		t.Errorf("defaults not filled: %+v", st)
	}
	if st.Prose != "Say hello." || l.Intro != "Intro." {
		t.Errorf("prose %q intro %q", st.Prose, l.Intro)
	}
	// The text below the block is kept apart: it is shown once the step is done.
	if st.After != "The server answered." {
		t.Errorf("after %q", st.After)
	}
	if g := cat.Groups(); len(g) != 1 || g[0].Name != "SMTP" {
		t.Errorf("groups %+v", g)
	}
}

// Each broken file must be reported at the right line and load nothing.
func TestLoadErrorsCarryFileAndLine(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"no front matter", "# hi\n", ":1: a lesson starts"},
		{"unclosed front matter", "---\nid: x\n", ":1: the front matter"},
		{"bad yaml in front matter", strings.Replace(goodLesson, "title: Tiny", "title: [Tiny", 1), ":"},
		{"unknown front matter field", strings.Replace(goodLesson, "level: beginner", "level: beginner\ncolour: red", 1), ":6: field colour not found"},
		{"unknown group", strings.Replace(goodLesson, "group: smtp", "group: fax", 1), `group: "fax"`},
		{"negative quota", strings.Replace(goodLesson, "level: beginner", "level: beginner\nworld:\n  quota_bytes: -1", 1), "quota_bytes: -1 is negative"},
		{"unknown role", strings.Replace(goodLesson, "role: mx", "role: lmtp", 1), `role "lmtp"`},
		{"unknown fault", strings.Replace(goodLesson, "level: beginner", "level: beginner\nworld: {faults: [greylisting]}", 1), `unknown fault "greylisting"`},
		{"unknown step fault", strings.Replace(goodLesson, "goal:", "faults_on: [disk-on-fire]\ngoal:", 1), `:11: step "Hello": unknown fault "disk-on-fire"`},
		{"broken step dns record", strings.Replace(goodLesson, "goal:", "dns: ['example.com SRV 0 0 25 mx']\ngoal:", 1), `:11: step "Hello": dns: dns record "example.com SRV 0 0 25 mx"`},
		{"broken world dns record", strings.Replace(goodLesson, "level: beginner", "level: beginner\nworld: {dns: ['example.com TXT']}", 1), `world: dns: dns record "example.com TXT"`},
		{"typed text only", strings.Replace(goodLesson, `reply: {verb: EHLO, code: "250"}`, `sent: {verb: EHLO}`, 1), ":17: step \"Hello\": the goal checks only what was typed"},
		{"misspelt goal field", strings.Replace(goodLesson, `code: "250"`, `cdoe: "250"`, 1), `:17: unknown field "cdoe"`},
		{"unknown goal", strings.Replace(goodLesson, `reply: {`, `replied: {`, 1), `:17: unknown goal "replied"`},
		{"unknown step field", strings.Replace(goodLesson, "goal:", "hint: x\ngoal:", 1), ":16: field hint not found"},
		{"unclosed step block", strings.Replace(goodLesson, "EHLO me\n```", "EHLO me\n", 1), ":15: this ```step block is never closed"},
		{"no solution", strings.Replace(goodLesson, "solution:\n  - EHLO me\n", "", 1), `:11: step "Hello": a live step needs a solution`},
		{"undeclared session", strings.Replace(goodLesson, "goal:", "session: phone\ngoal:", 1), `session "phone" is not declared`},
		{"reply without code", strings.Replace(goodLesson, `, code: "250"`, ``, 1), `reply: needs code:`},
		{"hint with colon", strings.Replace(goodLesson, "solution:", "hints:\n  - Try: EHLO\nsolution:", 1), ":19: this text contains"},
		{"question without answer", strings.Replace(goodLesson, "goal:\n  reply: {verb: EHLO, code: \"250\"}\nsolution:\n  - EHLO me\n", "question: Why?\nchoices: [a, b]\n", 1), "answer: must be the number"},
		{"block before step", strings.Replace(goodLesson, "## Step: Hello", "", 1), ":15: a ```step block must follow"},
		{"no steps", strings.SplitN(goodLesson, "## Step", 2)[0], "at least one"},
		{"send and open", strings.Replace(goodLesson, "  - EHLO me", "  - {send: EHLO me, open: s}", 1), ":19: a solution entry does exactly one"},
		{"bad wait", strings.Replace(goodLesson, "  - EHLO me", "  - {send: EHLO me, wait: forever}", 1), `:19: wait: "forever"`},
		{"missing replay", strings.Replace(goodLesson, "goal:", "replay: gone.jsonl\ngoal:", 1), `:11: step "Hello": replay: file "gone.jsonl" not found`},
		{"replay outside the folder", strings.Replace(goodLesson, "goal:", "replay: ../x.jsonl\ngoal:", 1), `:11: step "Hello": replay: "../x.jsonl" must be a file name`},
		{"replay not a transcript", strings.Replace(goodLesson, "goal:", "replay: tiny.md\ngoal:", 1), `:11: step "Hello": replay: tiny.md is not a mailtutor transcript`},
		{"missing eml", strings.Replace(goodLesson, "level: beginner", "level: beginner\nworld: {messages: [{to: bob@example.org, file: gone.eml}]}", 1), `file "gone.eml" not found`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeLesson(t, dir, "broken.md", c.src)
			writeLesson(t, dir, "tiny.md", goodLesson)
			cat, errs := Load(false, dir)
			if len(errs) == 0 {
				t.Fatal("no error")
			}
			all := ""
			for _, e := range errs {
				all += e.Error() + "\n"
			}
			if !strings.Contains(all, p) || !strings.Contains(all, c.want) {
				t.Errorf("errors\n%s\nwant %q in them, naming %s", all, c.want, p)
			}
			// The broken file loads nothing; the good one still loads.
			if n := len(cat.Lessons()); n != 1 {
				t.Errorf("%d lessons loaded, want only the good one", n)
			}
		})
	}
}

func TestTeacherLessonReplacesBuiltin(t *testing.T) {
	dir := t.TempDir()
	writeLesson(t, dir, "mine.md", strings.Replace(goodLesson, "id: tiny", "id: smtp-first-conversation", 1))
	cat, errs := Load(true, dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l, _ := cat.Lesson("smtp-first-conversation")
	if l.Title != "Tiny" {
		t.Errorf("builtin not replaced: %s", l.Title)
	}
}

func TestDuplicateIDInOneDirectory(t *testing.T) {
	dir := t.TempDir()
	writeLesson(t, dir, "a.md", goodLesson)
	writeLesson(t, dir, "b.md", goodLesson)
	cat, errs := Load(false, dir)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "already used") || len(cat.Lessons()) != 1 {
		t.Errorf("errs %v, %d lessons", errs, len(cat.Lessons()))
	}
}

func TestMessageFromEMLFile(t *testing.T) {
	dir := t.TempDir()
	writeLesson(t, dir, "hi.eml", "Subject: hi\n\nbody\n")
	writeLesson(t, dir, "tiny.md", strings.Replace(goodLesson, "level: beginner", "level: beginner\nworld: {messages: [{to: bob@example.org, file: hi.eml}]}", 1))
	cat, errs := Load(false, dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l, _ := cat.Lesson("tiny")
	if string(l.attachments["hi.eml"]) != "Subject: hi\n\nbody\n" {
		t.Errorf("attachment %q", l.attachments["hi.eml"])
	}
}

func TestLoadMissingDirectory(t *testing.T) {
	_, errs := Load(false, filepath.Join(t.TempDir(), "nope"))
	if len(errs) != 1 {
		t.Errorf("errs %v", errs)
	}
}

// A step's replay: names a transcript next to the lesson; Lesson.Replay
// hands the TUI a parsed copy, and a block with only replay: is a reading
// step.
func TestStepReplay(t *testing.T) {
	dir := t.TempDir()
	rec, err := os.ReadFile(filepath.Join("content", "16-ticket-3-no-tls.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	writeLesson(t, dir, "rec.jsonl", string(rec))
	src := goodLesson + "\n## Step: Watch\n\n```step\nreplay: rec.jsonl\n```\n\n## Step: Name it\n\n```step\nreplay: rec.jsonl\nquestion: Why?\nchoices: [a, b]\nanswer: 1\n```\n"
	writeLesson(t, dir, "tiny.md", src)
	cat, errs := Load(false, dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l, _ := cat.Lesson("tiny")
	if l.Steps[1].Kind != Read || l.Steps[2].Kind != Question || l.Steps[1].Replay != "rec.jsonl" {
		t.Fatalf("steps %+v %+v", l.Steps[1], l.Steps[2])
	}
	if tr, err := l.Replay(0); tr != nil || err != nil {
		t.Errorf("step without replay: %v %v", tr, err)
	}
	for _, i := range []int{1, 2} {
		tr, err := l.Replay(i)
		if err != nil || tr == nil || len(tr.Lines) == 0 || !strings.Contains(tr.Title, "Ticket 3") {
			t.Fatalf("step %d: %v %+v", i+1, err, tr)
		}
		// Each call is a fresh copy: the TUI may keep or change it.
		tr.Lines = nil
	}
	if tr, _ := l.Replay(2); len(tr.Lines) == 0 {
		t.Error("Replay shares its lines between calls")
	}
}

// Every built-in replay loads, and the lesson's questions come after it.
func TestBuiltinReplays(t *testing.T) {
	cat, _ := Load(true)
	l, _ := cat.Lesson("troubleshooting-drill")
	n := 0
	for i, st := range l.Steps {
		if st.Replay == "" {
			continue
		}
		n++
		if st.Kind != Question {
			t.Errorf("step %d replays but asks nothing", i+1)
		}
		if tr, err := l.Replay(i); err != nil || tr == nil {
			t.Errorf("step %d: %v", i+1, err)
		}
	}
	if n != 3 {
		t.Errorf("%d replays, want 3", n)
	}
}

// A teacher's lesson whose file: is a symbolic link out of its folder made
// mailtutor read any file (issue 15, point 8): refused with file:line,
// from a lesson directory and from "lessons check FILE" alike; a link that
// stays inside the folder still works.
func TestLessonFileSymlinkOutOfFolderRefused(t *testing.T) {
	outside := t.TempDir()
	secret := writeLesson(t, outside, "secret.eml", "Subject: secret\n\nthe teacher's private key\n")
	dir := t.TempDir()
	if err := os.Symlink(secret, filepath.Join(dir, "hi.eml")); err != nil {
		t.Fatal(err)
	}
	writeLesson(t, dir, "real.eml", "Subject: hi\n\nbody\n")
	if err := os.Symlink("real.eml", filepath.Join(dir, "alias.eml")); err != nil {
		t.Fatal(err)
	}
	lesson := func(file string) string {
		return strings.Replace(goodLesson, "level: beginner", "level: beginner\nworld: {messages: [{to: bob@example.org, file: "+file+"}]}", 1)
	}
	file := writeLesson(t, dir, "tiny.md", lesson("hi.eml"))
	_, errs := Load(false, dir)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "outside the lesson's folder") || !strings.Contains(errs[0].Error(), "tiny.md:") {
		t.Errorf("lesson directory: errs %v", errs)
	}
	if _, errs := LoadFile(file); len(errs) != 1 || !strings.Contains(errs[0].Error(), "outside the lesson's folder") {
		t.Errorf("LoadFile: errs %v", errs)
	}

	writeLesson(t, dir, "tiny.md", lesson("alias.eml"))
	cat, errs := Load(false, dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if l, _ := cat.Lesson("tiny"); string(l.attachments["alias.eml"]) != "Subject: hi\n\nbody\n" {
		t.Errorf("a link inside the folder: attachment %q", l.attachments["alias.eml"])
	}
}
