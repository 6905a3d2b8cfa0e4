package transcripts

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/glamour"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// hostile adds lines whose bytes try to break out of every export format.
func hostile() *Transcript {
	tr := sampleTranscript(false)
	a := NewAnnotator(wire.SMTP, AnnotateOptions{})
	for _, s := range []string{
		"</code></summary><script>alert(1)</script>\r\n",
		"<img src=\"http://evil.example/x.png\">\r\n",
		"``` ` ** _x_ [link](https://evil.example) <b>&amp;\r\n",
		"\x00\x1b]0;title\x07\r\n",
	} {
		tr.Lines = append(tr.Lines, a.Annotate(wire.Event{Session: "s9", Proto: wire.SMTP, Dir: wire.FromClient, Kind: wire.Line, Data: []byte(s)}))
	}
	tr.Title = "<script>x</script> & \x00 title"
	return tr
}

func TestWriteHTMLIsWellFormedAndOffline(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, hostile()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Fatal("missing doctype")
	}
	// Tokenise strictly: every start tag must be closed in order (void
	// elements aside), and no element may load anything from outside.
	z := html.NewTokenizer(strings.NewReader(out))
	var stack []string
	details, lines := 0, 0
	void := map[string]bool{"meta": true, "br": true, "img": true, "link": true}
	// SVG elements written self-closed (<line … />) are complete.
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if tok.DataAtom == atom.Script || tok.DataAtom == atom.Img || tok.DataAtom == atom.Link || tok.DataAtom == atom.Iframe ||
				tok.Data == "foreignobject" || tok.Data == "image" || tok.Data == "use" {
				t.Errorf("unexpected element <%s>", tok.Data)
			}
			for _, at := range tok.Attr {
				if (at.Key == "src" || at.Key == "href") && (strings.Contains(at.Val, "://") || strings.HasPrefix(at.Val, "//")) {
					t.Errorf("external resource %s=%q", at.Key, at.Val)
				}
			}
			if tok.DataAtom == atom.Details {
				details++
			}
			for _, at := range tok.Attr {
				if at.Key == "class" && strings.HasSuffix(at.Val, " line") {
					lines++
				}
			}
			if tt == html.StartTagToken && !void[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("</%s> closes %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		case html.TextToken:
			if strings.ContainsAny(tok.Data, "\x00\x1b\x07") {
				t.Errorf("control bytes in text %q", tok.Data)
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	// Every line and its note are visible and print: nothing is folded
	// into a <details> a printer would leave closed.
	if details != 0 {
		t.Errorf("%d <details>: a handout keeps every note visible", details)
	}
	if lines != len(hostile().Lines) {
		t.Errorf("%d lines in the HTML, want %d", lines, len(hostile().Lines))
	}
	// The full parser agrees: one html root holding head and body.
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if doc.FirstChild == nil || doc.LastChild.DataAtom != atom.Html {
		t.Fatal("no <html> root")
	}
	if !strings.Contains(out, "the server accepted recipient &lt;bob@example.org&gt;") {
		t.Error("notes missing from the HTML")
	}
}

func TestWriteMarkdownRendersWithGlamour(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, hostile()); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	if !strings.Contains(md, "## Session s1: SMTP (submission)") || !strings.Contains(md, "`RCPT TO:<bob@example.org>`") {
		t.Fatalf("markdown:\n%s", md)
	}
	if !strings.Contains(md, "\\<bob@example.org\\>") {
		t.Error("notes must escape angle brackets so Markdown does not read them as HTML")
	}
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle("dark"), glamour.WithWordWrap(100))
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(md)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "bob@example.org") {
		t.Error("rendered handout lost the recipient")
	}
}

func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, sampleTranscript(false)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"=== session s1: SMTP (submission) from 127.0.0.1:40000",
		"\n -> EHLO laptop.example.com\n",
		"\n<-  250-PIPELINING\n",
		"\n ~> ehlo laptop.example.com\n",
		"\n<~  235 2.7.0 Authentication successful\n",
		"\n   # the server accepted recipient <bob@example.org>",
		"\n*** [TLS: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text export lacks %q", want)
		}
	}
	if strings.Contains(out, "wonderland") {
		t.Error("text export shows a password")
	}
}
