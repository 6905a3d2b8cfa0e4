package transcripts

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"iter"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// htmlStyle is inlined so the page works offline and alone. The print
// rules make it a handout: every session starts a page, a line and its
// note stay together, links print as plain words.
const htmlStyle = `
body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;background:#fbfbfa;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.5rem;border-bottom:1px solid #ccc}
code{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
dl.label{display:grid;grid-template-columns:6rem 1fr;gap:.1rem .8rem;margin:.5rem 0 1rem}
dl.label dt{font-weight:bold;color:#444}dl.label dd{margin:0}
figure{margin:1rem 0;overflow-x:auto}figcaption{font-size:.85em;color:#555}
svg.seq{max-width:100%;height:auto;font-family:ui-monospace,Menlo,Consolas,monospace}
svg .lanehead{fill:#eef2f6;stroke:#6b7b8c}svg .lanename{font-size:12px;font-weight:bold;fill:#1b1f24}
svg .lifeline{stroke:#9aa5b1;stroke-dasharray:4 3}svg .handoff{stroke:#7a4cc2;stroke-width:2;stroke-dasharray:6 3}
svg .tlsband{fill:#f1ebfa}svg .band{stroke:#999;stroke-dasharray:2 2}svg .bandtext{font-size:11px;fill:#555;font-style:italic}
svg .msg{font-size:11px;fill:#1b1f24}svg .sub{font-size:10px;fill:#555}
svg .arrow{stroke-width:1.5;stroke:#555}svg .client{stroke:#3a6ea5}svg .success{stroke:#2e8b3d}
svg .warning{stroke:#d08a00}svg .error{stroke:#c0392b}svg .info{stroke:#555}
.line{margin:.1rem 0 .5rem;padding-left:.6rem;border-left:4px solid #bbb;break-inside:avoid}
.who{display:inline-block;width:2.2rem;font-weight:bold;color:#555}
.line.client{border-left-color:#3a6ea5}.line.server{border-left-color:#6a8d3a}.line.meta{border-left-color:#999}
.line.success{border-left-color:#2e8b3d}.line.warning{border-left-color:#d08a00}.line.error{border-left-color:#c0392b}
.note{margin:.15rem 0 .15rem 2.2rem}.rfc{color:#555;font-size:.9em}
.detail{margin:.2rem 0 .3rem 2.2rem;font-size:.9em;color:#333}.detail p{margin:.3rem 0}
.see{margin:.1rem 0 .2rem 2.2rem;font-size:.85em;color:#555}
.enc{color:#7a4cc2;font-size:.8em}.empty{color:#555;font-style:italic}
.glossary dt{font-weight:bold;margin-top:.8rem}.glossary dd{margin-left:1.2rem}.glossary dd p{margin:.3rem 0}
@media print{
 body{max-width:none;margin:0;padding:0;background:#fff;font-size:10.5pt}
 section.session~section.session{break-before:page}
 section.glossary{break-before:page}
 h2,dl.label{break-after:avoid}
 figure{overflow:visible}
 svg.seq{display:block;break-inside:avoid}
 a{color:inherit;text-decoration:none}
 .line{break-inside:avoid}
}
`

// WriteHTML writes the transcript as one self-contained HTML5 handout: no
// script, no external resource. Each session has its label (role, client,
// server, TLS), its sequence diagram in inline SVG, and every line with
// its note visible (nothing folded away, so it all prints); the Markdown
// explanations are rendered, and each term is explained once, in a
// glossary at the end that every use links to. Everything from the wire
// or the file is escaped.
func WriteHTML(w io.Writer, t Handout) error {
	bw := bufio.NewWriter(w)
	var err error // from reading the sessions
	title, created := t.Head()
	if title == "" {
		title = "mailtutor transcript"
	}
	e := htmlText
	md := newMarkdown()
	g := newGlossary()
	hops := relayHops(t)
	bw.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	bw.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	bw.WriteString("<title>" + e(oneLine(title)) + "</title>\n<style>" + htmlStyle + "</style>\n</head>\n<body>\n")
	bw.WriteString("<h1>" + e(oneLine(title)) + "</h1>\n<p>")
	if !created.IsZero() {
		bw.WriteString("Recorded " + e(created.Format("2006-01-02 15:04")) + ". ")
	}
	bw.WriteString("C: is what the client sent, S: what the server answered; each line's explanation is below it, and the terms it uses are explained once, in the <a href=\"#glossary\">glossary</a> at the end. Each session starts with a diagram: time runs down, commands are arrows to the server, replies arrows back; a shaded row travelled inside TLS.</p>\n")
	var sb strings.Builder
	for _, s := range sessionSeq(t, &err) {
		lines := plainSeq(s.lines)
		facts := readSession(s.info, lines)
		lb := facts.label(s.info)
		anchor := "session-" + slug(lb.id)
		bw.WriteString("<section class=\"session\" id=\"" + anchor + "\">\n<h2>" + e(lb.title(s.info)) + "</h2>\n<dl class=\"label\">\n")
		for _, f := range lb.fields() {
			bw.WriteString("<dt>" + e(f[0]) + "</dt><dd>" + e(f[1]) + "</dd>\n")
		}
		bw.WriteString("</dl>\n")
		d := sessionDiagram(s.info, lb, facts, hops)
		bw.WriteString("<figure>\n")
		// A printer cannot cut an <svg> across pages: a long diagram is
		// drawn in parts that each fit one, lane heads repeated.
		parts := max(1, (len(d.rows)+diagramPageRows-1)/diagramPageRows)
		for i := 0; i < parts; i++ {
			part := d
			part.rows = d.rows[i*diagramPageRows : min(len(d.rows), (i+1)*diagramPageRows)]
			if i < parts-1 {
				part.more = 0
			}
			if parts > 1 {
				part.title = fmt.Sprintf("%s, part %d of %d", d.title, i+1, parts)
			}
			sb.Reset()
			writeDiagram(&sb, part)
			bw.WriteString(sb.String() + "\n")
		}
		bw.WriteString("<figcaption>" + e(d.caption) + "</figcaption>\n</figure>\n")
		for l := range facts.again(lines) {
			writeHTMLLine(bw, l, g, md)
		}
		bw.WriteString("</section>\n")
	}
	bw.WriteString("<section class=\"glossary\" id=\"glossary\">\n<h2>Glossary</h2>\n")
	if len(g.order) == 0 {
		bw.WriteString("<p>No term needed explaining.</p>\n")
	} else {
		bw.WriteString("<p>Every term the sessions above use, explained once, in alphabetical order.</p>\n<dl>\n")
		for _, en := range g.sorted() {
			bw.WriteString("<dt id=\"" + en.id + "\">" + e(en.title) + "</dt>\n<dd>" + md.render(en.body) + "</dd>\n")
		}
		bw.WriteString("</dl>\n")
	}
	bw.WriteString("</section>\n</body>\n</html>\n")
	if err != nil {
		return err
	}
	return bw.Flush()
}

// writeHTMLLine writes one line, its note, its own explanation and links
// to the glossary entries it uses.
func writeHTMLLine(bw *bufio.Writer, l Line, g *glossary, md *markdown) {
	e := htmlText
	who, class := "C:", "client"
	switch l.Dir {
	case wire.FromServer:
		who, class = "S:", "server"
	case wire.Meta:
		who, class = "*", "meta"
	}
	if l.Level != Info {
		class += " " + l.Level.String()
	}
	bw.WriteString("<div class=\"" + class + " line\"><span class=\"who\">" + who + "</span>")
	if l.Text == "" {
		// An empty line means something (the end of a message's
		// headers); an empty <code> would not show it.
		bw.WriteString("<span class=\"empty\">(an empty line)</span>")
	} else {
		bw.WriteString("<code>" + e(l.Text) + "</code>")
	}
	if l.Encrypted && l.Dir != wire.Meta {
		bw.WriteString(" <span class=\"enc\">(encrypted)</span>")
	}
	bw.WriteString("\n")
	if l.Note != "" || l.RFC != "" {
		bw.WriteString("<p class=\"note\">" + e(oneLine(l.Note)))
		if l.RFC != "" {
			bw.WriteString(" <span class=\"rfc\">(" + e(l.RFC) + ")</span>")
		}
		bw.WriteString("</p>\n")
	}
	ex := g.split(l.Proto, l.Detail)
	if ex.own != "" {
		bw.WriteString("<div class=\"detail\">" + md.render(ex.own) + "</div>\n")
	}
	if len(ex.refs) > 0 {
		bw.WriteString("<p class=\"see\">In the glossary: ")
		for i, r := range ex.refs {
			if i > 0 {
				bw.WriteString(", ")
			}
			bw.WriteString("<a href=\"#" + r.id + "\">" + e(r.title) + "</a>")
		}
		bw.WriteString("</p>\n")
	}
	bw.WriteString("</div>\n")
}

// plainSeq drops the index of a handout session's lines.
func plainSeq(lines iter.Seq2[int, Line]) iter.Seq[Line] {
	return func(yield func(Line) bool) {
		for _, l := range lines {
			if !yield(l) {
				return
			}
		}
	}
}

// markdown renders the knowledge base's Markdown to HTML with only what it
// uses: paragraphs, lists, emphasis and code. Links, images, autolinks and
// raw HTML are not parsed at all (a header value quoted in an explanation
// could hold any of them): they come out as the escaped text they are.
type markdown struct {
	gm goldmark.Markdown
}

func newMarkdown() *markdown {
	p := parser.NewParser(
		// goldmark's defaults without the HTML block parser.
		parser.WithBlockParsers(
			util.Prioritized(parser.NewSetextHeadingParser(), 100),
			util.Prioritized(parser.NewThematicBreakParser(), 200),
			util.Prioritized(parser.NewListParser(), 300),
			util.Prioritized(parser.NewListItemParser(), 400),
			util.Prioritized(parser.NewCodeBlockParser(), 500),
			util.Prioritized(parser.NewATXHeadingParser(), 600),
			util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
			util.Prioritized(parser.NewBlockquoteParser(), 800),
			util.Prioritized(parser.NewParagraphParser(), 1000),
		),
		// Code spans and emphasis only: no link, image, autolink or raw HTML.
		parser.WithInlineParsers(
			util.Prioritized(parser.NewCodeSpanParser(), 100),
			util.Prioritized(parser.NewEmphasisParser(), 500),
		),
	)
	return &markdown{gm: goldmark.New(goldmark.WithParser(p))}
}

// render returns src as HTML; control characters become visible marks
// first, as everywhere else.
func (m *markdown) render(src string) string {
	var buf bytes.Buffer
	if err := m.gm.Convert([]byte(wire.VisibleLines(src)), &buf); err != nil {
		return "<p>" + htmlText(src) + "</p>"
	}
	return buf.String()
}

// htmlText escapes s for HTML text and attributes, after wire.VisibleLines:
// control characters, bidi controls (a browser obeys U+202E too) and
// invalid UTF-8, which well-formed HTML may not hold, are shown as marks.
func htmlText(s string) string {
	return html.EscapeString(wire.VisibleLines(s))
}
