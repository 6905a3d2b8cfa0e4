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
	groups := cat.Groups()
	if len(groups) == 0 {
		t.Fatal("no groups")
	}
}
