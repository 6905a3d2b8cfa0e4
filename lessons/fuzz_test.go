package lessons

import (
	"io/fs"
	"testing"
)

// FuzzLoad feeds arbitrary files to the parser: it must never panic, and a
// file either loads whole or yields errors and no lesson.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(goodLesson))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nid: [\n---\n## Step: x\n```step\ngoal: {all: [{any: []}]}\n```\n"))
	entries, _ := fs.ReadDir(builtin, "content")
	for _, e := range entries {
		if b, err := fs.ReadFile(builtin, "content/"+e.Name()); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		l, errs := parseFile(src, "fuzz.md", func(string) ([]byte, error) { return nil, fs.ErrNotExist })
		if (l == nil) == (len(errs) == 0) {
			t.Fatalf("lesson %v with errors %v", l != nil, errs)
		}
		if l == nil {
			return
		}
		for _, st := range l.Steps {
			if st.Kind == Live && (st.Goal == nil || !st.Goal.hasEvidence() || len(st.Solution) == 0) {
				t.Fatal("a live step passed validation without a goal with evidence and a solution")
			}
			// Evaluating against empty evidence must not panic.
			st.Goal.Met(&Evidence{})
		}
	})
}
