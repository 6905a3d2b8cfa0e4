package lessons

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/mailtutor/mailtutor/simulator"
)

// ProgressOptions say where a learner's progress is kept.
type ProgressOptions struct {
	// Dir holds progress.json; "" means $XDG_STATE_HOME/mailtutor, or
	// ~/.local/state/mailtutor when XDG_STATE_HOME is unset. Tests set it
	// to a temporary directory.
	Dir string
	// Now is the clock for timestamps; nil means time.Now.
	Now func() time.Time
}

// LessonProgress is how far a learner got in one lesson.
type LessonProgress struct {
	Step      int       `json:"step"`               // the step to resume at (index from 0)
	Done      bool      `json:"done"`               // every step was done once
	Completed time.Time `json:"completed,omitzero"` // when it was first finished
	Updated   time.Time `json:"updated"`            // last change
}

// Progress is one learner's progress in every lesson. It is not safe for
// concurrent use: the TUI owns it.
type Progress struct {
	path    string
	now     func() time.Time
	Lessons map[string]LessonProgress `json:"lessons"`
}

type progressFile struct {
	Version int                       `json:"version"`
	Lessons map[string]LessonProgress `json:"lessons"`
}

// StateDir is mailtutor's state directory: $XDG_STATE_HOME/mailtutor, or
// ~/.local/state/mailtutor.
func StateDir() (string, error) {
	d, err := simulator.StateDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for the progress file: %w", err)
	}
	return d, nil
}

// OpenProgress reads the learner's progress. A missing file is an empty
// progress. A corrupt file is renamed aside to progress.json.corrupt-TIME and
// the learner starts afresh: notice then says so (show it to the learner);
// it is "" otherwise. err is only for a directory that cannot be used at all.
func OpenProgress(opts ProgressOptions) (p *Progress, notice string, err error) {
	dir := opts.Dir
	if dir == "" {
		if dir, err = StateDir(); err != nil {
			return nil, "", err
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	p = &Progress{path: filepath.Join(dir, "progress.json"), now: now, Lessons: map[string]LessonProgress{}}
	data, err := os.ReadFile(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading %s: %w", p.path, err)
	}
	var f progressFile
	if jerr := json.Unmarshal(data, &f); jerr != nil || f.Lessons == nil && len(data) > 0 && !emptyJSON(data) {
		aside := p.path + ".corrupt-" + now().UTC().Format("20060102T150405Z")
		if rerr := os.Rename(p.path, aside); rerr != nil {
			return nil, "", fmt.Errorf("%s is unreadable and could not be moved aside: %w", p.path, rerr)
		}
		return p, fmt.Sprintf("Your progress file was damaged; it was kept as %s and progress starts afresh.", aside), nil
	}
	for id, lp := range f.Lessons {
		if lp.Step < 0 {
			lp.Step = 0
		}
		p.Lessons[id] = lp
	}
	return p, "", nil
}

// emptyJSON accepts a file holding just {} as a valid empty progress.
func emptyJSON(data []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(data, &m) == nil && len(m) == 0
}

// Path is the progress file's location.
func (p *Progress) Path() string { return p.path }

// Get returns a lesson's progress (zero if never started).
func (p *Progress) Get(id string) LessonProgress { return p.Lessons[id] }

// Record notes that the learner reached step in lesson id; done marks the
// lesson finished (it stays finished when the learner replays it).
func (p *Progress) Record(id string, step int, done bool) {
	lp := p.Lessons[id]
	lp.Step = step
	lp.Updated = p.now()
	if done && !lp.Done {
		lp.Done = true
		lp.Completed = lp.Updated
	}
	p.Lessons[id] = lp
}

// Done lists the ids of finished lessons, sorted.
func (p *Progress) Done() []string {
	var out []string
	for id, lp := range p.Lessons {
		if lp.Done {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Save writes the file atomically (a temporary file renamed over it), so a
// crash in the middle never leaves half a file.
func (p *Progress) Save() error {
	if err := os.MkdirAll(filepath.Dir(p.path), 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(progressFile{Version: 1, Lessons: p.Lessons}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p.path), "progress-*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p.path)
}

// RecordRun notes where a run stands (the step to resume at, finished or not).
func (p *Progress) RecordRun(r *Run) {
	p.Record(r.Lesson().ID, r.Current(), r.Finished())
}
