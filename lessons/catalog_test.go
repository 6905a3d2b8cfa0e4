package lessons

import (
	"testing"
)

func TestBuiltinLessonsLoad(t *testing.T) {
	cat, errs := Load(true)
	for _, e := range errs {
		t.Error(e)
	}
	for _, id := range []string{"smtp-first-conversation", "pop3-first-conversation"} {
		l, ok := cat.Lesson(id)
		if !ok {
			t.Fatalf("lesson %s missing", id)
		}
		if len(l.Steps) == 0 || len(l.SessionNames()) == 0 {
			t.Errorf("%s: %d steps, sessions %v", id, len(l.Steps), l.SessionNames())
		}
	}
	for _, l := range cat.Lessons() {
		for i, st := range l.Steps {
			if st.Kind == Live && st.Goal.Describe() == "" {
				t.Errorf("%s step %d: empty goal description", l.ID, i+1)
			}
		}
	}
	groups := cat.Groups()
	if len(groups) == 0 {
		t.Fatal("no groups")
	}
}
