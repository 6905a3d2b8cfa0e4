package findings

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// ExportOptions say what an export holds besides the findings.
type ExportOptions struct {
	// Note, when set, returns the explanation of a line, shown beneath it
	// (the caller's annotator; "" for none). Lines come session by
	// session, in order.
	Note func(Line) string
	// Now is the time the export says it was made (zero: left out, so an
	// export of the same sessions is the same file).
	Now time.Time
}

// Markdown exports one program's findings and sessions as a Markdown
// document, for a support ticket. Every line is masked and made visible
// already; they go inside code blocks, where Markdown reads nothing.
func (a *Analyzer) Markdown(p Program, opts ExportOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# What %s did\n\n", mdText(p.Name))
	if p.User != "" {
		fmt.Fprintf(&b, "- user: `%s`\n", mdCode(p.User))
	}
	fmt.Fprintf(&b, "- protocols: %s\n", protocols(p))
	fmt.Fprintf(&b, "- sessions: %d\n", len(p.Sessions))
	if !opts.Now.IsZero() {
		fmt.Fprintf(&b, "- exported: %s\n", opts.Now.UTC().Format(time.RFC3339))
	}
	if a.missed > 0 {
		fmt.Fprintf(&b, "- note: %d events were missed while watching; the findings may be incomplete\n", a.missed)
	}
	b.WriteString("\n## Findings\n\n")
	if len(p.Findings) == 0 {
		b.WriteString("Nothing to report.\n")
	}
	for _, f := range p.Findings {
		mark := ""
		if f.Warning {
			mark = "**Warning:** "
		}
		fmt.Fprintf(&b, "- %s%s\n", mark, mdText(f.Text))
		if len(f.Lines) > 0 {
			b.WriteString("\n  ```\n")
			for _, l := range f.Lines {
				fmt.Fprintf(&b, "  [%s] %s\n", l.Session, l.String())
			}
			b.WriteString("  ```\n\n")
		}
	}
	for _, id := range p.Sessions {
		ls, notKept := a.Lines(id)
		s := a.sessions[id]
		if s == nil {
			continue // forgotten since (Options.MaxSessions)
		}
		fmt.Fprintf(&b, "\n## Session %s (%s, %s)\n\n", id, protoName(s.proto), s.role)
		b.WriteString("```\n")
		for _, l := range ls {
			lock := ""
			if l.Encrypted {
				lock = " (TLS)"
			}
			fmt.Fprintf(&b, "%s%s %s\n", l.Time.UTC().Format("15:04:05.000"), lock, l.String())
			if opts.Note != nil {
				if n := opts.Note(l); n != "" {
					fmt.Fprintf(&b, "    # %s\n", wire.Visible(n))
				}
			}
		}
		b.WriteString("```\n")
		if notKept > 0 {
			fmt.Fprintf(&b, "\n%d later lines were not kept.\n", notKept)
		}
	}
	return b.String()
}

// HTML exports the same as Markdown, as one self-contained page.
func (a *Analyzer) HTML(p Program, opts ExportOptions) string {
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>What %s did</title>\n", e(p.Name))
	b.WriteString("<style>body{font-family:sans-serif;max-width:60em;margin:auto}pre{background:#f4f4f4;padding:.5em;overflow-x:auto}.warn{color:#a00}.note{color:#555}</style></head><body>\n")
	fmt.Fprintf(&b, "<h1>What %s did</h1>\n<ul>\n", e(p.Name))
	if p.User != "" {
		fmt.Fprintf(&b, "<li>user: <code>%s</code></li>\n", e(p.User))
	}
	fmt.Fprintf(&b, "<li>protocols: %s</li>\n<li>sessions: %d</li>\n", e(protocols(p)), len(p.Sessions))
	if !opts.Now.IsZero() {
		fmt.Fprintf(&b, "<li>exported: %s</li>\n", opts.Now.UTC().Format(time.RFC3339))
	}
	if a.missed > 0 {
		fmt.Fprintf(&b, "<li>note: %d events were missed while watching; the findings may be incomplete</li>\n", a.missed)
	}
	b.WriteString("</ul>\n<h2>Findings</h2>\n<ul>\n")
	for _, f := range p.Findings {
		class := ""
		if f.Warning {
			class = ` class="warn"`
		}
		fmt.Fprintf(&b, "<li%s>%s", class, e(f.Text))
		if len(f.Lines) > 0 {
			b.WriteString("<pre>")
			for _, l := range f.Lines {
				fmt.Fprintf(&b, "[%s] %s\n", e(string(l.Session)), e(l.String()))
			}
			b.WriteString("</pre>")
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ul>\n")
	for _, id := range p.Sessions {
		ls, notKept := a.Lines(id)
		s := a.sessions[id]
		if s == nil {
			continue // forgotten since (Options.MaxSessions)
		}
		fmt.Fprintf(&b, "<h2>Session %s (%s, %s)</h2>\n<pre>", e(string(id)), protoName(s.proto), e(string(s.role)))
		for _, l := range ls {
			lock := ""
			if l.Encrypted {
				lock = " (TLS)"
			}
			fmt.Fprintf(&b, "%s%s %s\n", l.Time.UTC().Format("15:04:05.000"), lock, e(l.String()))
			if opts.Note != nil {
				if n := opts.Note(l); n != "" {
					fmt.Fprintf(&b, "<span class=\"note\">    # %s</span>\n", e(wire.Visible(n)))
				}
			}
		}
		b.WriteString("</pre>\n")
		if notKept > 0 {
			fmt.Fprintf(&b, "<p>%d later lines were not kept.</p>\n", notKept)
		}
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func protocols(p Program) string {
	var names []string
	for _, q := range p.Protocols {
		names = append(names, protoName(q))
	}
	return strings.Join(names, ", ")
}

// mdText escapes the characters Markdown would read as formatting in
// running text.
func mdText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`)
	return r.Replace(s)
}

// mdCode keeps a string inside one inline code span.
func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }

// FileName makes a file name (without extension) of the program's name
// and user: lower case, letters, digits, dots and @, runs of anything else
// one dash ("curl-7.88-alice"), for `watch --export` and the watch screen.
func (p Program) FileName() string {
	name := p.Name
	if p.User != "" {
		name += " " + p.User
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '@'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		s = "program"
	}
	return s
}
