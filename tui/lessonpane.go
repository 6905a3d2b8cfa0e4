package tui

import (
	"fmt"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtutor/mailtutor/lessons"
	"github.com/mailtutor/mailtutor/transcripts"
)

// lessonPane is the lesson's side tab: its title and a window of its steps,
// the current step's text (Markdown rendered in the background), the
// question, hints and feedback. The lesson screen tells it what to say; it
// reads the run only to draw it.
type lessonPane struct {
	noHelp
	c      Common
	run    *lessons.Run
	lesson *lessons.Lesson
	offset int // rows the text is scrolled down

	hints    []string // hints shown for the current step
	feedback string   // the answer to a question, or what just happened
	goodNews bool     // feedback is a success
	// missing says which part of the goal is not met while another is;
	// stuck is the dead end the step is in (nil: none). Both are worked
	// out at each check, never in View.
	missing string
	stuck   *lessons.Stuck
}

func (p *lessonPane) Init() tea.Cmd    { return nil }
func (p *lessonPane) SetSize(w, h int) { p.c.SetSize(w, h) }
func (p *lessonPane) Title() string    { return "Lesson" }
func (p *lessonPane) tall() bool       { return true }

func (p *lessonPane) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case sideScrollMsg:
		p.offset = max(0, p.offset+msg.delta)
	case sideTopMsg:
		p.offset = 0
	}
	return p, nil
}

// say shows feedback: good news in green, anything else subtle.
func (p *lessonPane) say(text string, good bool) { p.feedback, p.goodNews = text, good }

// note changes the feedback's text, keeping its colour.
func (p *lessonPane) note(text string) { p.feedback = text }

// addHint shows a hint under the earlier ones (never the same twice in a row).
func (p *lessonPane) addHint(h string) {
	if len(p.hints) == 0 || p.hints[len(p.hints)-1] != h {
		p.hints = append(p.hints, h)
	}
}

// checked shows what the last check found missing and the dead end.
func (p *lessonPane) checked(missing string, stuck *lessons.Stuck) {
	p.missing, p.stuck = missing, stuck
}

// setStuck shows the dead end the step is in (nil: none).
func (p *lessonPane) setStuck(stuck *lessons.Stuck) { p.stuck = stuck }

// newStep forgets what belonged to the step before.
func (p *lessonPane) newStep() {
	p.hints, p.missing, p.stuck, p.offset = nil, "", nil, 0
}

// textWidth is the width the lesson text is rendered at.
func (p *lessonPane) textWidth() int { return max(20, p.c.Width-1) }

func (p *lessonPane) proseKey(i int) string {
	return "lesson/" + p.lesson.ID + "/" + strconv.Itoa(i)
}

// prose is the Markdown shown for step i: the introduction with the first,
// and above the others what the step before it showed (its After text).
// i may be the number of steps: the lesson is finished, and only the last
// step's After text is left to show.
func (p *lessonPane) prose(i, width int) string {
	md := ""
	if i > 0 {
		md = debrief(p.run.Step(i - 1))
	}
	if i >= len(p.lesson.Steps) {
		return md
	}
	st := p.run.Step(i)
	md += "## " + st.Title + "\n\n" + st.Prose
	if i == 0 && strings.TrimSpace(p.lesson.Intro) != "" {
		md = p.lesson.Intro + "\n\n" + md
	}
	if st.Replay != "" {
		md += "\n\n" + replayMarkdown(p.lesson, i, width)
	}
	return md
}

// debrief is a done step's After text under its title, or "".
func debrief(st *lessons.Step) string {
	if strings.TrimSpace(st.After) == "" {
		return ""
	}
	return "### ✓ " + st.Title + "\n\n" + st.After + "\n\n"
}

// replayMarkdown shows a step's recorded session in the lesson pane, each
// line with its explanation, in the swaks-like text form of the exports,
// wrapped to the pane's width (see wrapHanging).
func replayMarkdown(l *lessons.Lesson, i, width int) string {
	t, err := l.Replay(i)
	if err != nil {
		return "*The recorded session could not be read: " + err.Error() + "*"
	}
	if t == nil {
		return ""
	}
	var b strings.Builder
	if err := transcripts.WriteText(&b, t); err != nil {
		return "*The recorded session could not be shown: " + err.Error() + "*"
	}
	// The code block's own margins take some columns; glamour would
	// break the rest anywhere, even inside an address.
	var wrapped []string
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		wrapped = append(wrapped, wrapHanging(line, max(20, width-8))...)
	}
	fence := "~~~~~~~~"
	return "### The recorded session\n\n" + fence + "\n" + strings.Join(wrapped, "\n") + "\n" + fence + "\n"
}

// wrapHanging wraps one line at w columns between words, its continuation
// lines indented under the line's text, after its marker ("<-  ",
// "   # ", "*** "), so a wrapped line still reads as one.
func wrapHanging(line string, w int) []string {
	if ansi.StringWidth(line) <= w {
		return []string{line}
	}
	indent := len(line) - len(strings.TrimLeft(line, " "))
	if sp := strings.IndexByte(line[indent:], ' '); sp >= 0 {
		indent += sp
		indent += len(line[indent:]) - len(strings.TrimLeft(line[indent:], " "))
	} else {
		indent = 0
	}
	if indent > w/2 {
		indent = 0
	}
	body := wrapText(line[indent:], w-indent)
	out := []string{line[:indent] + body[0]}
	for _, b := range body[1:] {
		out = append(out, strings.Repeat(" ", indent)+b)
	}
	return out
}

// shownStep is the step whose text the pane shows: the current one, or
// the number of steps once the lesson is finished (see prose).
func (p *lessonPane) shownStep() int {
	if p.run.Finished() {
		return len(p.lesson.Steps)
	}
	return p.run.Current()
}

// markdownCmd renders the current step's text if it is not cached.
func (p *lessonPane) markdownCmd() tea.Cmd {
	i := p.shownStep()
	md := p.prose(i, p.textWidth())
	if md == "" {
		return nil
	}
	_, cmd := p.c.markdown.get(p.proseKey(i), md, p.c.GlamourStyle, p.textWidth())
	return cmd
}

// View draws the title and step list, the step's text, the question,
// hints and feedback. The text scrolls; the rest stays in sight.
func (p *lessonPane) View() string {
	st := &p.c.Styles
	w, h := p.c.Width, p.c.Height
	head := p.stepList(w, h)
	tail := p.tail(w)
	cur := p.run.Current()
	var prose []string
	width := p.textWidth()
	if !p.run.Finished() {
		prose, _ = p.c.markdown.peek(p.proseKey(cur), width, func() string { return p.prose(cur, width) })
	} else {
		end := len(p.lesson.Steps)
		if md := p.prose(end, width); md != "" {
			prose, _ = p.c.markdown.peek(p.proseKey(end), width, func() string { return md })
		}
		prose = append(append([]string(nil), prose...), "", st.Success.Render("★ You finished this lesson."), "", "F7 plays it again, esc goes back to the lessons.")
	}
	room := max(0, h-len(head)-len(tail))
	if len(prose) > room {
		// Scrolled as far as the learner asked, never past the end.
		p.offset = min(p.offset, len(prose)-room)
		// A copy: the rendered lines belong to the Markdown cache.
		prose = append([]string(nil), prose[p.offset:]...)
		if len(prose) > room {
			prose = prose[:room]
			if room > 0 {
				prose[room-1] = st.Faint.Render("… more: ctrl+pgdn / F10 or the mouse wheel")
			}
		}
	}
	out := append(head, prose...)
	return strings.Join(append(out, tail...), "\n")
}

// stepList is the lesson's title and a window of the step list around the
// current step (only the current one in a short pane).
func (p *lessonPane) stepList(w, h int) []string {
	st := &p.c.Styles
	n := len(p.lesson.Steps)
	cur := p.run.Current()
	head := []string{st.Accent.Render(ansi.Truncate(p.lesson.Title, w, "…"))}
	span := 3
	if h < 16 {
		span = 1
	}
	from := max(0, min(cur-span/2, n-span))
	for i := from; i < min(n, from+span); i++ {
		title := fmt.Sprintf("%d. %s", i+1, p.run.Step(i).Title)
		switch p.run.Status(i) {
		case lessons.Done:
			head = append(head, st.StepDone.Render(ansi.Truncate("✓ "+title, w, "…")))
		case lessons.Active:
			head = append(head, st.StepNow.Render(ansi.Truncate("▸ "+title, w, "…")))
		default:
			head = append(head, st.StepTodo.Render(ansi.Truncate("  "+title, w, "…")))
		}
	}
	return head
}

// tail is what stays under the text: the question and its choices, what
// is missing or stuck, the goal, hints and feedback.
func (p *lessonPane) tail(w int) []string {
	st := &p.c.Styles
	var tail []string
	para := func(text string, style func(...string) string) {
		for _, l := range wrapText(text, w) {
			tail = append(tail, style(l))
		}
	}
	if step := p.currentStep(); step != nil {
		switch step.Kind {
		case lessons.Question:
			tail = append(tail, "")
			para(step.QuestionText, st.Accent.Render)
			for i, c := range step.Choices {
				tail = append(tail, wrapText(fmt.Sprintf("%d) %s", i+1, c), w)...)
			}
		case lessons.Read:
			tail = append(tail, "", st.Subtle.Render("F5 to go on"))
		default:
			if p.stuck != nil {
				tail = append(tail, "")
				para("Stuck? "+p.stuck.Say, st.Warning.Render)
			} else if p.missing != "" {
				tail = append(tail, "")
				para(p.missing, st.Warning.Render)
			}
			if p.run.Met() {
				tail = append(tail, "", st.Success.Render("Goal met."))
			} else if strings.TrimSpace(step.Prose) == "" && p.stuck == nil && p.missing == "" {
				// A step with no text of its own: say in plain words
				// what will count as done.
				tail = append(tail, "")
				para("Goal: "+step.Goal.Describe(), st.Subtle.Render)
			}
		}
		for i, hnt := range p.hints {
			para(fmt.Sprintf("Hint %d: %s", i+1, hnt), st.Warning.Render)
		}
	}
	if p.feedback != "" {
		style := st.Subtle
		if p.goodNews {
			style = st.Success
		}
		tail = append(tail, "")
		para(p.feedback, style.Render)
	}
	return tail
}

// currentStep is the active step, nil when the lesson is finished.
func (p *lessonPane) currentStep() *lessons.Step {
	if p.run.Finished() {
		return nil
	}
	return p.run.Step(p.run.Current())
}
