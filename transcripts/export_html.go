package transcripts

import (
	"bufio"
	"html"
	"io"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// htmlStyle is inlined so the page works offline and alone.
const htmlStyle = `
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;background:#fbfbfa}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
details{margin:.15rem 0;border-left:4px solid #bbb;padding-left:.5rem}
summary{cursor:pointer;list-style-position:outside}
code{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all}
.who{display:inline-block;width:2.2rem;font-weight:bold;color:#555}
.client{border-left-color:#3a6ea5}.server{border-left-color:#6a8d3a}.meta{border-left-color:#999}
.success{border-left-color:#2e8b3d}.warning{border-left-color:#d08a00}.error{border-left-color:#c0392b}
.note{margin:.2rem 0 .4rem 2.2rem}.rfc{color:#666;font-size:.9em}
.detail{margin:.2rem 0 .6rem 2.2rem;white-space:pre-wrap;font-size:.9em;color:#333}
.enc{color:#7a4cc2;font-size:.8em}
`

// WriteHTML writes the transcript as one self-contained HTML5 page: no
// scripts, no external resources, every line a <details> element whose
// summary is the line and whose body is the note. Everything from the
// wire is escaped.
func WriteHTML(w io.Writer, t Handout) error {
	bw := bufio.NewWriter(w)
	var err error // from reading the sessions
	title, created := t.Head()
	if title == "" {
		title = "mailtutor transcript"
	}
	e := htmlText
	bw.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	bw.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	bw.WriteString("<title>" + e(oneLine(title)) + "</title>\n<style>" + htmlStyle + "</style>\n</head>\n<body>\n")
	bw.WriteString("<h1>" + e(oneLine(title)) + "</h1>\n")
	if !created.IsZero() {
		bw.WriteString("<p>Recorded " + e(created.Format("2006-01-02 15:04")) + ". C: is what the client sent, S: what the server answered. Open a line to read its explanation.</p>\n")
	}
	for _, s := range sessionSeq(t, &err) {
		bw.WriteString("<section>\n<h2>Session " + e(sessionTitle(s.info)) + "</h2>\n")
		for _, l := range s.lines {
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
			bw.WriteString("<details class=\"" + class + "\"><summary><span class=\"who\">" + who + "</span><code>" + e(l.Text) + "</code>")
			if l.Encrypted && l.Dir != wire.Meta {
				bw.WriteString(" <span class=\"enc\">(encrypted)</span>")
			}
			bw.WriteString("</summary>\n")
			bw.WriteString("<p class=\"note\">" + e(l.Note))
			if l.RFC != "" {
				bw.WriteString(" <span class=\"rfc\">(" + e(l.RFC) + ")</span>")
			}
			bw.WriteString("</p>\n")
			if l.Detail != "" {
				bw.WriteString("<div class=\"detail\">" + e(strings.TrimSpace(l.Detail)) + "</div>\n")
			}
			bw.WriteString("</details>\n")
		}
		bw.WriteString("</section>\n")
	}
	bw.WriteString("</body>\n</html>\n")
	if err != nil {
		return err
	}
	return bw.Flush()
}

// htmlText escapes s for HTML text and attributes, after wire.VisibleLines:
// control characters, bidi controls (a browser obeys U+202E too) and
// invalid UTF-8, which well-formed HTML may not hold, are shown as marks.
func htmlText(s string) string {
	return html.EscapeString(wire.VisibleLines(s))
}
