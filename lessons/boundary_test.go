package lessons

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The lesson engine asks the simulator for what it needs (Place,
// CreateMailbox, SetDNS, SetFault, SaveWorld/RestoreWorld, Snapshot) and
// never writes the store behind its back: no file of the package imports
// the store (or the servers) directly.
func TestLessonsNeverReachIntoTheStore(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, banned := range []string{"/simulator/store", "/simulator/smtp", "/simulator/imap", "/simulator/pop3"} {
				if strings.HasSuffix(path, banned) {
					t.Errorf("%s imports %s: ask the simulator instead", f, path)
				}
			}
		}
	}
}
