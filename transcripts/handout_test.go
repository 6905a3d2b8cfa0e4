package transcripts

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/glamour"
	"golang.org/x/net/html"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// boldMarkup is Markdown's strong emphasis around a word.
var boldMarkup = regexp.MustCompile(`\*\*[^*\s][^*]*\*\*`)

// htmlTextNodes is the page's text as a reader sees it (no tags, no
// attributes), outside <style>.
func htmlTextNodes(t *testing.T, page string) string {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	var b strings.Builder
	inStyle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "style" {
				inStyle = true
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "style" {
				inStyle = false
			}
		case html.TextToken:
			if !inStyle {
				b.Write(z.Text())
				b.WriteByte('\n')
			}
		}
	}
}

// The HTML handout renders the knowledge base's Markdown (the issue found
// "**220**:" and "*What a mail program shows:*" as written) and says each
// term once, in a glossary every use links to (the 250 entry was repeated
// once per EHLO line).
func TestHTMLHandoutRendersMarkdownAndExplainsEachTermOnce(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, sampleTranscript(false)); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	text := htmlTextNodes(t, page)
	// "**220**:" as the issue found it ("********" is a masked password).
	if m := boldMarkup.FindString(text); m != "" {
		t.Errorf("raw Markdown %q reaches the page", m)
	}
	if strings.Contains(text, "*What a mail program shows:*") {
		t.Error("raw Markdown emphasis reaches the page")
	}
	for _, want := range []string{"<strong>taken responsibility</strong>", "<em>What a mail program shows:</em>", "<code>+OK</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("rendered Markdown %q missing", want)
		}
	}
	const entry250 = "The all-purpose &quot;done&quot;"
	if n := strings.Count(page, entry250); n != 1 {
		t.Errorf("the 250 entry is said %d times, want once (in the glossary)", n)
	}
	uses := strings.Count(page, `href="#g-smtp-250"`)
	if uses < 8 {
		t.Errorf("%d links to the 250 entry, want one from each line that uses it (EHLO list, replies)", uses)
	}
	// Every link lands on an anchor of the page.
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids[m[1]] = true
	}
	for _, m := range regexp.MustCompile(` href="#([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !ids[m[1]] {
			t.Errorf("link to #%s, which is no anchor of the page", m[1])
		}
	}
	// The glossary is the last section, and each of its entries is used.
	if i, j := strings.Index(page, `id="glossary"`), strings.LastIndex(page, `class="session"`); i < j {
		t.Error("the glossary is not at the end")
	}
}

// Each session is labelled: its role, its client, its server and whether
// (and how) TLS protected it.
func TestHandoutsLabelEverySession(t *testing.T) {
	tr := sampleTranscript(false)
	var h, md, txt bytes.Buffer
	if err := WriteHTML(&h, tr); err != nil {
		t.Fatal(err)
	}
	WriteMarkdown(&md, tr)
	WriteText(&txt, tr)
	page := h.String()
	if n := strings.Count(page, `<dl class="label">`); n != 3 {
		t.Errorf("%d labelled sessions, want 3", n)
	}
	for _, want := range []string{
		"<dt>Role</dt><dd>SMTP submission: mail programs send here after logging in (port 587&#39;s job)</dd>",
		"<dt>Client</dt><dd>127.0.0.1:40000, calls itself laptop.example.com</dd>",
		"<dt>Server</dt><dd>mail.example.com, the submission listener</dd>",
		"<dt>TLS</dt><dd>plain text at first, then STARTTLS/STLS: TLS 1.3, TLS_AES_128_GCM_SHA256</dd>",
		"<dt>Role</dt><dd>POP3: a mail program downloads mail (port 110&#39;s job)</dd>",
		"<dt>TLS</dt><dd>none: plain text, anyone on the path can read every line</dd>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	for _, want := range []string{"- **Role:** SMTP submission", "- **Client:** 127\\.0.0.1:40000, calls itself laptop.example.com", "- **TLS:** plain text at first, then STARTTLS/STLS"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %s", want)
		}
	}
	for _, want := range []string{"    role:   SMTP submission", "    server: mail.example.com, the submission listener", "    tls:    plain text at first"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// The Markdown and text handouts carry the glossary too: a term once, at
// the end, and each line names (Markdown: links) the entries it uses.
func TestMarkdownAndTextHandoutsHaveTheGlossary(t *testing.T) {
	tr := sampleTranscript(false)
	var md, txt bytes.Buffer
	WriteMarkdown(&md, tr)
	WriteText(&txt, tr)
	m := md.String()
	if n := strings.Count(m, "The all-purpose \"done\""); n != 1 {
		t.Errorf("Markdown says the 250 entry %d times", n)
	}
	headings := map[string]bool{}
	for _, h := range regexp.MustCompile(`(?m)^#+ (.*)$`).FindAllStringSubmatch(m, -1) {
		headings[mdSlug(strings.ReplaceAll(h[1], `\`, ""))] = true
	}
	links := regexp.MustCompile(`\]\(#([^)]+)\)`).FindAllStringSubmatch(m, -1)
	if len(links) < 20 {
		t.Errorf("%d glossary links in the Markdown", len(links))
	}
	for _, l := range links {
		if !headings[l[1]] {
			t.Errorf("Markdown link #%s matches no heading", l[1])
		}
	}
	// glamour (the TUI's renderer) reads it.
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle("notty"), glamour.WithWordWrap(100))
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(m)
	if err != nil || !strings.Contains(out, "taken responsibility") {
		t.Errorf("glamour: %v", err)
	}
	x := txt.String()
	if n := strings.Count(x, "The all-purpose \"done\""); n != 1 {
		t.Errorf("text says the 250 entry %d times", n)
	}
	if !strings.Contains(x, "\n=== glossary: each term once ===\n") || !strings.Contains(x, "   = see: 250 (SMTP), PIPELINING (SMTP)") {
		t.Errorf("text handout without its glossary:\n%s", x)
	}
	if m := boldMarkup.FindString(x); m != "" {
		t.Errorf("Markdown emphasis %q in the text handout", m)
	}
}

// A Detail's own part (a FETCH's items, a message's headers) quotes what
// came from outside: rendered, it is text, never a link, an image or HTML.
func TestHTMLHandoutMarkdownCannotEscape(t *testing.T) {
	l := Line{Session: "s1", Proto: wire.IMAP, Dir: wire.FromServer, Kind: wire.Line, Text: "* 1 FETCH (ENVELOPE ...)", Note: "n",
		Detail: "Headers of the message:\n\n- `Subject:` [click](https://evil.example/x) ![i](http://evil.example/p.png) <script>alert(1)</script> <https://evil.example>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n**FLAGS**: a *real* entry"}
	tr := &Transcript{Sessions: []SessionInfo{{ID: "s1", Proto: wire.IMAP, Role: wire.RoleIMAP}}, Lines: []Line{l}}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, tr); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script", "<iframe", "<img", "<a href=\"http", "evil.example\">"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, want := range []string{"[click](https://evil.example/x)", "&lt;script&gt;alert(1)&lt;/script&gt;", "<em>real</em>", `href="#g-imap-flags"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// The diagram: an arrow per command and reply (a reply of many lines is
// one arrow that says so), a payload as its size and first line, no
// credential, and a session of any length drawn to a bound.
func TestDiagramSummarisesAndIsBounded(t *testing.T) {
	var lines []Line
	add := func(dir wire.Dir, kind wire.Kind, text, raw string, complete bool) {
		lines = append(lines, Line{Seq: uint64(len(lines) + 1), Session: "s1", Proto: wire.SMTP, Dir: dir, Kind: kind, Text: text, Raw: []byte(raw), Complete: complete})
	}
	add(wire.FromServer, wire.Line, "220 mx ready", "220 mx ready\r\n", true)
	add(wire.FromClient, wire.Line, "EHLO a", "EHLO a\r\n", false)
	add(wire.FromServer, wire.Line, "250-mx", "250-mx\r\n", false)
	add(wire.FromServer, wire.Line, "250-SIZE", "250-SIZE\r\n", false)
	add(wire.FromServer, wire.Line, "250 HELP", "250 HELP\r\n", true)
	add(wire.FromClient, wire.Payload, "[message body: 40 bytes, 3 lines]", "\r\nSubject: first of the body\r\nhi\r\n.\r\n", false)
	lines = append(lines, Line{Seq: 99, Session: "s1", Proto: wire.SMTP, Dir: wire.FromClient, Kind: wire.Payload, Text: "[literal: 8 bytes]", Raw: []byte("********"), Secret: true})
	rows, more := diagramRows(sliceSeq(lines), 0, maxDiagramRows)
	if more != 0 || len(rows) != 5 {
		t.Fatalf("%d rows (+%d), want 5: %+v", len(rows), more, rows)
	}
	if rows[2].label != "250-mx" || !strings.Contains(rows[2].sub, "+2 more lines, 28 bytes; next: 250-SIZE") {
		t.Errorf("EHLO reply row: %+v", rows[2])
	}
	if rows[3].label != "message body: 40 bytes, 3 lines" || rows[3].sub != "first line: Subject: first of the body" {
		t.Errorf("payload row: %+v", rows[3])
	}
	if strings.Contains(rows[4].sub, "*") || rows[4].sub != "(a credential: not shown)" {
		t.Errorf("secret payload row: %+v", rows[4])
	}

	// A long session: drawn to the bound, the rest counted.
	for i := 0; i < 5000; i++ {
		add(wire.FromClient, wire.Line, "NOOP", "NOOP\r\n", false)
		add(wire.FromServer, wire.Line, "250 ok", "250 ok\r\n", true)
	}
	tr := &Transcript{Sessions: []SessionInfo{{ID: "s1", Proto: wire.SMTP, Role: wire.RoleMX}}, Lines: lines}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, tr); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()[strings.Index(buf.String(), "<figure>"):strings.Index(buf.String(), "</figure>")]
	if parts := strings.Count(svg, "<svg"); parts != maxDiagramRows/diagramPageRows+1 {
		t.Errorf("%d parts, want one per printed page of rows", parts)
	}
	if n := strings.Count(svg, `class="arrow`); n > maxDiagramRows {
		t.Errorf("%d arrows, want at most %d", n, maxDiagramRows)
	}
	if want := fmt.Sprintf("… %s more lines not drawn", commas(10007-maxDiagramRows-2)); !strings.Contains(svg, want) {
		t.Errorf("the diagram does not say what it left out (%q)", want)
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "href=") {
		t.Error("script or link in the diagram")
	}
}
