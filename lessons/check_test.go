package lessons

import (
	"bytes"
	"context"
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
