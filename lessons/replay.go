package lessons

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/mailtutor/mailtutor/transcripts"
)

// Replay returns the recorded session that step i shows (its replay:
// field), freshly parsed so the caller may keep or change it: hand it to
// transcripts.NewPlayer to step through it. It returns nil and no error when
// the step has no replay. The file was read and checked when the lesson
// loaded, so an error here means a bug, not a missing file.
func (l *Lesson) Replay(i int) (*transcripts.Transcript, error) {
	if i < 0 || i >= len(l.Steps) || l.Steps[i].Replay == "" {
		return nil, nil
	}
	name := l.Steps[i].Replay
	raw, ok := l.attachments[name]
	if !ok {
		return nil, fmt.Errorf("%s: replay %q was not loaded", l.File, name)
	}
	return parseReplay(raw)
}

// parseReplay reads a transcript file and insists it shows something.
func parseReplay(raw []byte) (*transcripts.Transcript, error) {
	t, err := transcripts.Load(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if len(t.Lines) == 0 {
		return nil, fmt.Errorf("the recording holds no lines")
	}
	return t, nil
}

// loadReplays reads every step's replay file with read and checks that it
// is a transcript, keeping the bytes in attachments. Problems carry the
// step's line.
func loadReplays(steps []*Step, read func(string) ([]byte, error), attachments map[string][]byte) []error {
	var errs []error
	for _, st := range steps {
		name := st.Replay
		if name == "" {
			continue
		}
		if strings.Contains(name, "..") || strings.ContainsAny(name, `/\`) {
			errs = append(errs, lineError(st.Line, "step %q: replay: %q must be a file name in the lesson's folder", st.Title, name))
			continue
		}
		raw, err := read(name)
		if errors.Is(err, errOutsideFolder) {
			errs = append(errs, lineError(st.Line, "step %q: replay: file %q is outside the lesson's folder (a symbolic link out of it is refused)", st.Title, name))
			continue
		}
		if err != nil {
			errs = append(errs, lineError(st.Line, "step %q: replay: file %q not found next to the lesson", st.Title, name))
			continue
		}
		if _, err := parseReplay(raw); err != nil {
			errs = append(errs, lineError(st.Line, "step %q: replay: %s is not a mailtutor transcript: %v", st.Title, name, err))
			continue
		}
		attachments[name] = raw
	}
	return errs
}
