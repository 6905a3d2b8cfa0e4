package transcripts

import (
	"bufio"
	"io"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// WriteMarkdown writes the transcript as a handout: one section per
// session, each line as a list item holding the line in a code span, who
// sent it, and its note.
func WriteMarkdown(w io.Writer, t Handout) error {
	bw := bufio.NewWriter(w)
	var err error // from reading the sessions
	title, created := t.Head()
	if title == "" {
		title = "mailtutor transcript"
	}
	bw.WriteString("# " + mdEscape(oneLine(title)) + "\n\n")
	if !created.IsZero() {
		bw.WriteString("Recorded " + created.Format("2006-01-02 15:04") + ". ")
	}
	bw.WriteString("C: is what the client sent, S: what the server answered; each line is explained below it.\n")
	for _, s := range sessionSeq(t, &err) {
		bw.WriteString("\n## Session " + mdEscape(sessionTitle(s.info)) + "\n\n")
		for _, l := range s.lines {
			who := "C:"
			switch l.Dir {
			case wire.FromServer:
				who = "S:"
			case wire.Meta:
				who = "*"
			}
			if l.Encrypted && l.Dir != wire.Meta {
				who += " (encrypted)"
			}
			bw.WriteString("- " + who + " " + mdCodeSpan(l.Text))
			if l.Note != "" {
				bw.WriteString("  \n  " + mdEscape(oneLine(l.Note)))
			}
			if l.RFC != "" {
				bw.WriteString(" *(" + mdEscape(l.RFC) + ")*")
			}
			bw.WriteString("\n")
		}
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// mdCodeSpan puts s in a code span whose backtick fence is longer than any
// run of backticks inside it (CommonMark §6.1).
func mdCodeSpan(s string) string {
	if s == "" {
		return "` `"
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdEscape backslash-escapes the characters Markdown would otherwise read
// as formatting or HTML.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '!', '&':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
