package lessons

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
