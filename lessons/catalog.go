package lessons

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// builtin holds the curriculum shipped in the binary.
//
//go:embed content
var builtin embed.FS

// Catalog is every lesson loaded, by chapter.
type Catalog struct {
	byID   map[string]*Lesson
	groups []Group
}

// Load reads the built-in lessons (when builtin is true) and every *.md file
// under each directory (README.md files are skipped). A file with an error is
// left out whole and its errors, each "file:line: message", are returned; the
// other lessons still load. A teacher's lesson with the id of a built-in one
// replaces it.
func Load(builtinLessons bool, dirs ...string) (*Catalog, []error) {
	c := &Catalog{byID: map[string]*Lesson{}}
	var errs []error
	if builtinLessons {
		sub, err := fs.Sub(builtin, "content")
		if err != nil {
			errs = append(errs, err)
		} else {
			errs = append(errs, c.loadFS(sub, "builtin:", "")...)
		}
	}
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			errs = append(errs, fmt.Errorf("%s: not a directory of lessons", d))
			continue
		}
		errs = append(errs, c.loadFS(os.DirFS(d), d+string(os.PathSeparator), d)...)
	}
	c.checkPrerequisites(&errs)
	c.buildGroups()
	return c, errs
}

// LoadFile reads one lesson file (for "lessons check FILE" and tests).
func LoadFile(name string) (*Lesson, []error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, []error{err}
	}
	return parseFile(src, name, readInFolder(dirOf(name)))
}

// errOutsideFolder: a file a lesson names resolves, through a symbolic link,
// outside the lesson's folder. A lesson from a teacher's directory must not
// make mailtutor read (and show, or serve over IMAP) any other file.
var errOutsideFolder = errors.New("outside the lesson's folder")

// readInFolder reads the files a lesson in the OS folder dir names (its
// .eml messages and replay transcripts), refusing any that resolves
// outside dir, symbolic links included.
func readInFolder(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if !fs.ValidPath(name) {
			return nil, errOutsideFolder // "..", an absolute path
		}
		root, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return nil, err
		}
		target, err := filepath.EvalSymlinks(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		if rel, err := filepath.Rel(root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, errOutsideFolder
		}
		return os.ReadFile(target)
	}
}

func dirOf(name string) string {
	i := strings.LastIndexAny(name, `/\`)
	if i < 0 {
		return "."
	}
	return name[:i+1]
}

// loadFS loads the lessons of fsys. osDir is the OS folder fsys reads, for a
// teacher's directory (its lessons override built-in ones, and their files
// are read with readInFolder); "" for the built-in lessons.
func (c *Catalog) loadFS(fsys fs.FS, prefix string, osDir string) []error {
	override := osDir != ""
	var errs []error
	origin := map[string]string{}
	walkErr := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s%s: %w", prefix, p, err))
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(p, ".md") || strings.EqualFold(path.Base(p), "README.md") {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s%s: %w", prefix, p, err))
			return nil
		}
		dir := path.Dir(p)
		read := func(att string) ([]byte, error) { return fs.ReadFile(fsys, path.Join(dir, att)) }
		if osDir != "" {
			read = readInFolder(filepath.Join(osDir, filepath.FromSlash(dir)))
		}
		l, ferrs := parseFile(src, prefix+p, read)
		if len(ferrs) > 0 {
			errs = append(errs, ferrs...)
			return nil
		}
		if other, dup := origin[l.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: id %q is already used by %s; the file is skipped", l.File, l.ID, other))
			return nil
		}
		if _, exists := c.byID[l.ID]; exists && !override {
			errs = append(errs, fmt.Errorf("%s: id %q is already used; the file is skipped", l.File, l.ID))
			return nil
		}
		origin[l.ID] = l.File
		c.byID[l.ID] = l
		return nil
	})
	if walkErr != nil {
		errs = append(errs, walkErr)
	}
	return errs
}

// parseFile parses and validates one lesson; read fetches an attachment.
func parseFile(src []byte, file string, read func(string) ([]byte, error)) (*Lesson, []error) {
	raw, errs := parseLesson(src)
	if len(errs) == 0 {
		attachments := map[string][]byte{}
		errs = validate(raw, func(name string) error {
			b, err := read(name)
			if err != nil {
				return err
			}
			attachments[name] = b
			return nil
		})
		errs = append(errs, loadReplays(raw.steps, read, attachments)...)
		if len(errs) == 0 {
			l := &Lesson{Meta: raw.meta, File: file, Intro: raw.intro, Steps: raw.steps, attachments: attachments}
			l.sessionOrder = raw.sessOrder
			l.makeVisible()
			return l, nil
		}
	}
	for _, e := range errs {
		if le, ok := e.(*LineError); ok {
			le.File = file
		}
	}
	return nil, errs
}

func (c *Catalog) checkPrerequisites(errs *[]error) {
	for _, l := range c.sortedLessons() {
		for _, p := range l.Prerequisites {
			if _, ok := c.byID[p]; !ok {
				*errs = append(*errs, fmt.Errorf("%s: prerequisites: no lesson has id %q", l.File, p))
			}
		}
	}
}

func (c *Catalog) sortedLessons() []*Lesson {
	var out []*Lesson
	for _, l := range c.byID {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (c *Catalog) buildGroups() {
	c.groups = nil
	lessons := c.sortedLessons()
	for _, g := range groupNames() {
		for _, l := range lessons {
			if l.Group == g.ID {
				g.Lessons = append(g.Lessons, l)
			}
		}
		if len(g.Lessons) > 0 {
			c.groups = append(c.groups, g)
		}
	}
}

// Groups returns the chapters that have lessons, in display order, each with
// its lessons in order.
func (c *Catalog) Groups() []Group {
	out := make([]Group, len(c.groups))
	for i, g := range c.groups {
		g.Lessons = append([]*Lesson(nil), g.Lessons...)
		out[i] = g
	}
	return out
}

// Lessons returns every lesson in display order.
func (c *Catalog) Lessons() []*Lesson {
	var out []*Lesson
	for _, g := range c.groups {
		out = append(out, g.Lessons...)
	}
	return out
}

// Lesson finds a lesson by id.
func (c *Catalog) Lesson(id string) (*Lesson, bool) {
	l, ok := c.byID[id]
	return l, ok
}

// GroupName returns the display name of a chapter id.
func GroupName(id string) string {
	for _, g := range groupNames() {
		if g.ID == id {
			return g.Name
		}
	}
	return id
}
