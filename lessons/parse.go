package lessons

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// stepBlock is the YAML inside a ```step fence.
type stepBlock struct {
	Session     string     `yaml:"session"`
	Expect      StringList `yaml:"expect"`
	Goal        *Goal      `yaml:"goal"`
	Hints       StringList `yaml:"hints"`
	Solution    []Send     `yaml:"solution"`
	Wrong       []Send     `yaml:"wrong"`
	Deadends    []Deadend  `yaml:"deadends"`
	Open        StringList `yaml:"open"`
	FaultsOn    StringList `yaml:"faults_on"`
	FaultsOff   StringList `yaml:"faults_off"`
	DNS         StringList `yaml:"dns"`
	Question    string     `yaml:"question"`
	Choices     StringList `yaml:"choices"`
	Answer      int        `yaml:"answer"`
	Explanation string     `yaml:"explanation"`
	Replay      string     `yaml:"replay"`
}

// sendFields is the long form of a solution entry.
type sendFields struct {
	Session  string `yaml:"session"`
	Send     string `yaml:"send"`
	Wait     string `yaml:"wait"`
	Open     string `yaml:"open"`
	Close    string `yaml:"close"`
	StartTLS string `yaml:"starttls"`
}

// UnmarshalYAML reads a solution entry: a bare string (one line to send on
// the step's session) or a map (see FORMAT.md).
func (s *Send) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = Send{Lines: splitSendLines(n.Value)}
		return nil
	}
	var f sendFields
	if err := decodeStrict(n, &f); err != nil {
		return err
	}
	actions := 0
	for _, a := range []string{f.Send, f.Open, f.Close, f.StartTLS} {
		if a != "" {
			actions++
		}
	}
	if actions != 1 {
		return lineError(n.Line, "a solution entry does exactly one of send:, open:, close:, starttls:")
	}
	*s = Send{Session: f.Session, Wait: f.Wait}
	switch {
	case f.Send != "":
		s.Lines = splitSendLines(f.Send)
	case f.Open != "":
		s.Action, s.Session = "open", f.Open
	case f.Close != "":
		s.Action, s.Session = "close", f.Close
	default:
		s.Action, s.Session = "starttls", f.StartTLS
	}
	switch s.Wait {
	case "", WaitReply, WaitNone, WaitContinue, WaitClose:
	default:
		return lineError(n.Line, "wait: %q is not one of reply, none, continue, close", s.Wait)
	}
	return nil
}

// splitSendLines cuts a YAML block into protocol lines. The final newline a
// YAML "|" block carries is not an extra empty line.
func splitSendLines(v string) []string {
	v = strings.TrimSuffix(v, "\n")
	return strings.Split(v, "\n")
}

// rawLesson is a lesson file cut into its parts before validation.
type rawLesson struct {
	meta      Meta
	metaLine  int // line of the opening ---
	intro     string
	steps     []*Step
	sessOrder []string
}

// parseLesson reads one lesson file. Errors carry file line numbers; a file
// with any error yields no lesson at all.
func parseLesson(src []byte) (*rawLesson, []error) {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return nil, []error{lineError(1, "a lesson starts with a line \"---\" opening the front matter")}
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, []error{lineError(1, "the front matter opened here is never closed by a line \"---\"")}
	}
	raw := &rawLesson{metaLine: 1}
	var errs []error
	front := padYAML(lines[1:end], 2)
	if err := decodeYAML(front, &raw.meta); err != nil {
		errs = append(errs, yamlError(err, 1))
	} else {
		raw.sessOrder = sessionOrder(front)
	}

	// The body: intro prose, then "## Step: title" sections.
	var cur *Step
	var prose []string
	afterBlock := false // the current step's block is behind: prose is its After text
	flush := func() {
		p := strings.TrimSpace(strings.Join(prose, "\n"))
		switch {
		case cur == nil:
			raw.intro = p
		case afterBlock:
			cur.After = p
		default:
			cur.Prose = p
		}
		prose = nil
	}
	for i := end + 1; i < len(lines); i++ {
		ln := lines[i]
		lineNo := i + 1
		if title, ok := stepHeading(ln); ok {
			flush()
			cur = &Step{Title: title, Line: lineNo, Kind: Read}
			afterBlock = false
			if title == "" {
				errs = append(errs, lineError(lineNo, "a step needs a title: \"## Step: Say hello\""))
			}
			raw.steps = append(raw.steps, cur)
			continue
		}
		if strings.TrimSpace(ln) == "```step" {
			closeAt := -1
			for j := i + 1; j < len(lines); j++ {
				if strings.TrimSpace(lines[j]) == "```" {
					closeAt = j
					break
				}
			}
			if closeAt < 0 {
				errs = append(errs, lineError(lineNo, "this ```step block is never closed by a line ```"))
				break
			}
			if cur != nil && !afterBlock {
				flush() // the text above the block
				afterBlock = true
			}
			if cur == nil {
				errs = append(errs, lineError(lineNo, "a ```step block must follow a \"## Step: title\" heading"))
			} else if cur.Kind != Read {
				errs = append(errs, lineError(lineNo, "step %q already has a ```step block", cur.Title))
			} else if err := fillStep(cur, padYAML(lines[i+1:closeAt], i+2), lineNo); err != nil {
				errs = append(errs, err)
			}
			i = closeAt
			continue
		}
		prose = append(prose, ln)
	}
	flush()
	if len(errs) > 0 {
		return nil, errs
	}
	return raw, nil
}

// stepHeading recognises "## Step: title".
func stepHeading(ln string) (string, bool) {
	t := strings.TrimSpace(ln)
	if !strings.HasPrefix(t, "## ") {
		return "", false
	}
	rest := strings.TrimSpace(t[3:])
	if len(rest) < 5 || !strings.EqualFold(rest[:5], "step:") {
		return "", false
	}
	return strings.TrimSpace(rest[5:]), true
}

// padYAML joins lines with blank lines in front so that yaml's line numbers
// are the file's: firstLine is the file line of lines[0].
func padYAML(lines []string, firstLine int) string {
	return strings.Repeat("\n", firstLine-1) + strings.Join(lines, "\n") + "\n"
}

func decodeYAML(src string, v any) error {
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if err.Error() == "EOF" {
			return lineError(0, "empty YAML")
		}
		return err
	}
	return nil
}

// sessionOrder lists the keys of the front matter's sessions map in file
// order (a Go map forgets it).
func sessionOrder(front string) []string {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(front), &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "sessions" && root.Content[i+1].Kind == yaml.MappingNode {
			var out []string
			m := root.Content[i+1]
			for j := 0; j < len(m.Content); j += 2 {
				out = append(out, m.Content[j].Value)
			}
			return out
		}
	}
	return nil
}

func fillStep(st *Step, src string, fenceLine int) error {
	var b stepBlock
	if strings.TrimSpace(src) == "" {
		return lineError(fenceLine, "empty ```step block")
	}
	if err := decodeYAML(src, &b); err != nil {
		return yamlError(err, fenceLine)
	}
	st.Session, st.Expect, st.Goal, st.Hints = b.Session, b.Expect, b.Goal, b.Hints
	st.Solution, st.Wrong, st.Open = b.Solution, b.Wrong, b.Open
	st.Deadends = b.Deadends
	st.FaultsOn, st.FaultsOff, st.DNS = b.FaultsOn, b.FaultsOff, b.DNS
	st.QuestionText, st.Choices, st.Explanation = b.Question, b.Choices, b.Explanation
	st.Answer = b.Answer - 1
	st.Replay = strings.TrimSpace(b.Replay)
	if b.Question != "" || len(b.Choices) > 0 {
		st.Kind = Question
		if b.Goal != nil || len(b.Solution) > 0 {
			return lineError(fenceLine, "a question step has no goal: or solution: (ask a question, or set a task, not both)")
		}
		return nil
	}
	if st.Replay != "" && b.Goal == nil && len(b.Solution) == 0 && len(b.Expect) == 0 && len(b.Hints) == 0 {
		// Only a recording to watch: a reading step with a replay.
		st.Kind = Read
		return nil
	}
	st.Kind = Live
	return nil
}
