package lessons

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// StringList accepts either one string or a list of strings, so a teacher may
// write `verb: EHLO` or `verb: [HELO, EHLO]`.
type StringList []string

// UnmarshalYAML reads a scalar or a sequence of scalars.
func (s *StringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*s = nil
			return nil
		}
		*s = StringList{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(StringList, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind == yaml.MappingNode {
				return lineError(c.Line, "this text contains \": \" and reads as a map: put it in quotes")
			}
			if c.Kind != yaml.ScalarNode {
				return lineError(c.Line, "want text here, not a list")
			}
			out = append(out, c.Value)
		}
		*s = out
		return nil
	}
	if n.Kind == yaml.MappingNode {
		return lineError(n.Line, "this text contains \": \" and reads as a map: put it in quotes")
	}
	return lineError(n.Line, "want a word or a list of words")
}

// has reports whether the list holds v, ignoring case.
func (s StringList) has(v string) bool {
	for _, x := range s {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// LineError is a problem found at a line of a lesson file.
type LineError struct {
	File string // set by the loader
	Line int    // 1-based line in the file; 0 when unknown
	Msg  string
}

func (e *LineError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func lineError(line int, format string, args ...any) *LineError {
	return &LineError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// decodeStrict decodes a mapping node into a struct and, unlike node.Decode,
// refuses keys the struct does not have: a misspelt "subjet:" must be an
// error, not a goal that silently matches everything.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return lineError(n.Line, "want a map of fields (key: value) here")
	}
	known := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			known[name] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !known[k.Value] {
			return lineError(k.Line, "unknown field %q (known: %s)", k.Value, strings.Join(sortedKeys(known), ", "))
		}
	}
	if err := n.Decode(v); err != nil {
		return yamlError(err, n.Line)
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// yamlError turns a yaml.v3 error ("yaml: line 7: ...") into a LineError.
// Lesson YAML is parsed with blank lines in front of it so that yaml's line
// numbers are the file's line numbers.
func yamlError(err error, fallback int) error {
	if le, ok := err.(*LineError); ok {
		return le
	}
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		return parseYAMLMessage(te.Errors[0], fallback)
	}
	return parseYAMLMessage(err.Error(), fallback)
}

func parseYAMLMessage(msg string, fallback int) *LineError {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, tail, found := strings.Cut(rest, ":")
		var n int
		if _, err := fmt.Sscanf(num, "%d", &n); err == nil && found {
			return &LineError{Line: n, Msg: strings.TrimSpace(tail)}
		}
	}
	return &LineError{Line: fallback, Msg: msg}
}
