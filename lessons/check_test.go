package lessons

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// TestBuiltinLessonsPlay is "mailtutor lessons check" on the built-in
// curriculum: every solution meets its goals on a real simulator over real
// TCP, and every wrong attempt is rejected.
func TestBuiltinLessonsPlay(t *testing.T) {
	cat, errs := Load(true)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var out bytes.Buffer
	err := CheckAll(context.Background(), cat, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
}

// A lesson whose goal cannot tell right from wrong, or whose solution does
// not work, fails the check with its file and line.
func TestCheckAllCatchesBadLessons(t *testing.T) {
	dir := t.TempDir()
	// The goal accepts any 2xx reply, and the greeting (220) is one: the
	// wrong attempt passes.
	writeLesson(t, dir, "lenient.md", strings.NewReplacer(
		"id: tiny", "id: lenient",
		`verb: EHLO, code: "250"`, `code: "2xx"`,
		"  - EHLO me\n", "  - EHLO me\nwrong:\n  - HELLO me\n").Replace(goodLesson))
	// The solution never gets the reply the goal wants.
	writeLesson(t, dir, "broken.md", strings.NewReplacer(
		"id: tiny", "id: broken",
		"  - EHLO me", "  - HELO").Replace(goodLesson))
	writeLesson(t, dir, "good.md", goodLesson)
	cat, errs := Load(false, dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var out bytes.Buffer
	err := CheckAll(context.Background(), cat, &out)
	text := out.String()
	if err == nil {
		t.Fatalf("no error; report:\n%s", text)
	}
	for _, want := range []string{
		"ok    tiny",
		"FAIL  lenient",
		"lenient.md:11: step 1 \"Hello\": the goal accepted the wrong attempt (HELLO me)",
		"FAIL  broken",
		"broken.md:11: step 1 \"Hello\": the solution was played but the goal is not met",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in report:\n%s", want, text)
		}
	}
}

func TestCheckReportsLoadErrors(t *testing.T) {
	dir := t.TempDir()
	writeLesson(t, dir, "bad.md", "---\nid: x\n")
	var out bytes.Buffer
	if err := Check(context.Background(), &out, false, dir); err == nil || !strings.Contains(out.String(), "bad.md:1:") {
		t.Errorf("err %v, report:\n%s", err, out.String())
	}
}

// The check lists each line the annotator could not explain, with the
// lesson session it came from; explained lines are not listed. (The real
// servers and annotator give no unknown line for any built-in solution:
// TestBuiltinSolutionsHaveNoUnknownLines.)
func TestUnknownLinesAreListed(t *testing.T) {
	s := startLesson(t, "smtp-first-conversation")
	id := s.run.Conn("server").Session()
	lines := []transcripts.Line{
		{Session: id, Dir: wire.FromServer, Text: "220 mx.example.org ESMTP", Note: "the server is ready"},
		{Session: id, Dir: wire.FromServer, Text: "2x0 what", Unknown: true},
		{Session: "s99", Dir: wire.FromClient, Text: "XYZZY", Unknown: true},
	}
	got := unknownLines(s.run.Lesson(), s.run, lines)
	want := []string{
		"builtin:02-smtp-first-conversation.md: the annotator has no explanation for [server] S: 2x0 what",
		"builtin:02-smtp-first-conversation.md: the annotator has no explanation for [s99] C: XYZZY",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Every built-in lesson's solution, played on a real simulator, gives only
// lines the annotator explains.
func TestBuiltinSolutionsHaveNoUnknownLines(t *testing.T) {
	cat, errs := Load(true)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, l := range cat.Lessons() {
		t.Run(l.ID, func(t *testing.T) {
			t.Parallel()
			s, err := start(l, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer s.close()
			for i := range l.Steps {
				if err := playStep(context.Background(), s.run, i, PlayOptions{}); err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
			}
			s.rec.Sync()
			for _, p := range unknownLines(l, s.run, s.rec.Lines()) {
				t.Error(p)
			}
			if len(s.rec.Lines()) == 0 {
				t.Error("no lines recorded")
			}
		})
	}
}
