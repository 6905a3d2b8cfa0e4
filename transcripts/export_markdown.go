package transcripts

import (
	"bufio"
	"io"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// WriteMarkdown writes the transcript as a handout: one section per
// session with its label (role, client, server, TLS), each line as a list
// item holding the line in a code span, who sent it, its note and links to
// the glossary, which ends the handout and explains each term once.
func WriteMarkdown(w io.Writer, t Handout) error {
	bw := bufio.NewWriter(w)
	var err error // from reading the sessions
	title, created := t.Head()
	if title == "" {
		title = "mailtutor transcript"
	}
	g := newGlossary()
	bw.WriteString("# " + mdText(oneLine(title)) + "\n\n")
	if !created.IsZero() {
		bw.WriteString("Recorded " + created.Format("2006-01-02 15:04") + ". ")
	}
	bw.WriteString("C: is what the client sent, S: what the server answered; each line is explained below it, and the terms it uses are explained once, in the [glossary](#glossary) at the end.\n")
	for _, s := range sessionSeq(t, &err) {
		lines := plainSeq(s.lines)
		facts := readSession(s.info, lines)
		lb := facts.label(s.info)
		bw.WriteString("\n## " + mdText(lb.title(s.info)) + "\n\n")
		for _, f := range lb.fields() {
			bw.WriteString("- **" + f[0] + ":** " + mdText(f[1]) + "\n")
		}
		bw.WriteString("\n")
		for l := range facts.again(lines) {
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
			bw.WriteString("- " + who + " " + mdCodeSpan(wire.Visible(l.Text)))
			if l.Note != "" {
				bw.WriteString("  \n  " + mdText(oneLine(l.Note)))
			}
			if l.RFC != "" {
				bw.WriteString(" *(" + mdText(l.RFC) + ")*")
			}
			if ex := g.split(l.Proto, l.Detail); len(ex.refs) > 0 {
				bw.WriteString("  \n  Glossary: ")
				for i, r := range ex.refs {
					if i > 0 {
						bw.WriteString(", ")
					}
					bw.WriteString("[" + mdText(r.title) + "](#" + mdSlug(r.title) + ")")
				}
			}
			bw.WriteString("\n")
		}
	}
	bw.WriteString("\n## Glossary\n\n")
	if len(g.order) == 0 {
		bw.WriteString("No term needed explaining.\n")
	}
	for _, en := range g.sorted() {
		bw.WriteString("### " + mdText(en.title) + "\n\n")
		for _, para := range strings.Split(en.body, "\n\n") {
			bw.WriteString(mdKnowledge(para) + "\n\n")
		}
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// mdKnowledge makes one paragraph of the knowledge base's Markdown safe
// to pass on as Markdown: its emphasis, code spans and list items stay;
// anything that could make a link, an image or raw HTML is escaped
// outside code spans (a code span is literal), and each line is made
// visible.
func mdKnowledge(para string) string {
	var b strings.Builder
	for i, line := range strings.Split(para, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		line = wire.Visible(line)
		inCode := false
		for j := 0; j < len(line); j++ {
			c := line[j]
			if c == '`' {
				inCode = !inCode
			} else if !inCode && strings.IndexByte("\\[]<>&!|", c) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		if inCode {
			// An unclosed code span would swallow the next line's text.
			b.WriteByte('`')
		}
	}
	return b.String()
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

// mdText makes s safe as Markdown text on one line: wire.Visible first
// (no control, no line break can remain, so nothing can leave the line),
// then a backslash before every character that could start an inline
// construct or raw HTML (CommonMark lets any ASCII punctuation be escaped,
// and an escaped character is always literal), and before the first
// character when it could open a block (a heading, a list, a quote, a
// fence, a setext underline) where the text starts a line.
func mdText(s string) string {
	s = wire.Visible(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	lead := true // still in the leading spaces and digits of the text
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte("\\`*_[]<>&|~!", c) >= 0:
			b.WriteByte('\\')
		case lead && strings.IndexByte("#>+-=.)", c) >= 0:
			b.WriteByte('\\')
		}
		b.WriteByte(c)
		lead = lead && (c == ' ' || c >= '0' && c <= '9')
	}
	return b.String()
}
