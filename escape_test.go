package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// Issue 15, point 4: nothing from a message, a log, a transcript or a
// lesson file reaches the terminal (or an export) as an escape sequence.
// Each test runs the real command, in process, and reads what it printed.

// The attacks: OSC 52 writes the clipboard, OSC 0 the window title, CSI 2J
// clears the screen, BEL rings; 0x9b is CSI in one byte (C1) and U+009B
// the same as a character; U+202E reverses what follows ("exe.txt").
const (
	atkOSC52 = "\x1b]52;c;cHduZWQ=\x07"
	atkOSC0  = "\x1b]0;PWNED\x07"
	atkCSI   = "\x1b[2J"
	atkBEL   = "\x07"
	atkC1    = "\x9b2J"
	atkC1R   = "\u009b2J"
	atkRLO   = "\u202e"
)

// runCLI runs mailtutor with args and stdin and returns what it printed on
// standard output and standard error.
func runCLI(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetIn(bytes.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("mailtutor %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

// noRawControls fails when out holds a byte or character a terminal (or a
// browser, for bidi) would obey rather than show: any control but newline
// and tab, DEL, C1 as a byte or a character, a bidi control, invalid UTF-8.
func noRawControls(t *testing.T, out string) {
	t.Helper()
	if wire.VisibleLines(out) != out {
		t.Errorf("raw control characters reached the output:\n%q", out)
	}
}

// The first finding: `annotate message.eml` printed header values
// with raw ESC, BEL and C1 bytes.
func TestAnnotateMessageHeaderOSC52Escaped(t *testing.T) {
	msg := "Received: from evil.example (evil.example [192.0.2.1])" + atkBEL + "\r\n" +
		"\tby mx.example.org with ESMTP" + atkCSI + "; Thu, 26 Nov 2026 10:34:51 +0000\r\n" +
		"From: Boss" + atkOSC0 + " <boss@example.com>\r\n" +
		"To: you@example.org\r\n" +
		"Subject: invoice" + atkOSC52 + atkC1 + "\r\n" +
		"Reply-To: pay" + atkRLO + "gpj.exe@example.net\r\n" +
		"X-Evil" + atkC1R + ": yes\r\n" +
		"Date: Thu, 26 Nov 2026 10:34:50 +0000\r\n" +
		"\r\nbody\r\n"
	path := filepath.Join(t.TempDir(), "message.eml")
	if err := os.WriteFile(path, []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runCLI(t, nil, "annotate", path)
	noRawControls(t, out)
	for _, want := range []string{`Subject: invoice\x1b]52;c;cHduZWQ=\x07\x9b2J`, `From: Boss\x1b]0;PWNED\x07`, `pay\u202egpj.exe`, `ESMTP\x1b[2J`, `X-Evil\u009b2J`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// A log's lines go through the annotators, which escaped control bytes
// already but let a bidi override through.
func TestAnnotateLogBidiOverrideEscaped(t *testing.T) {
	log := "< 220 mx.example.org ESMTP\n> EHLO laptop\n< 250 mx.example.org\n" +
		"> MAIL FROM:<pay" + atkRLO + "gpj.exe@example.net>\n< 250 2.1.0 Ok " + atkRLO + "\n"
	out := runCLI(t, []byte(log), "annotate", "--format", "arrows")
	noRawControls(t, out)
	if !strings.Contains(out, `MAIL FROM:<pay\u202egpj.exe@example.net>`) {
		t.Errorf("the override is not shown as a mark:\n%s", out)
	}
}

// A bounce names each session after its Final-Recipient: the heading
// printed it raw.
func TestAnnotateBounceOSC52Escaped(t *testing.T) {
	bounce := "From: MAILER-DAEMON@mx.example.net\r\nSubject: Undelivered Mail\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; mx" + atkOSC0 + ".example.net\r\n\r\n" +
		"Final-Recipient: rfc822; bob" + atkOSC52 + "@example.org\r\n" +
		"Action: failed\r\nStatus: 5.1.1\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: User unknown" + atkCSI + atkRLO + "\r\n\r\n--b--\r\n"
	out := runCLI(t, []byte(bounce), "annotate", "--format", "bounce")
	noRawControls(t, out)
	if !strings.Contains(out, `bob\x1b]52;c;cHduZWQ=\x07@example.org`) {
		t.Errorf("the recipient is not shown escaped:\n%s", out)
	}
}

// explain quotes the reply it was given.
func TestExplainPastedReplyOSC0Escaped(t *testing.T) {
	out := runCLI(t, nil, "explain", "--plain", "454 4.7.1 <x@example.com>: Relay access denied"+atkOSC0+atkRLO)
	noRawControls(t, out)
	if !strings.Contains(out, `Relay access denied\x1b]0;PWNED\x07\u202e`) {
		t.Errorf("the pasted reply is not quoted escaped:\n%s", out)
	}
}

// craftedTranscript writes a transcript whose every field carries an
// attack, as someone could hand a teacher.
func craftedTranscript(t *testing.T, text string) string {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tr := &transcripts.Transcript{
		Version: transcripts.FormatVersion, Title: "Lesson" + atkOSC0, Created: at,
		Sessions: []transcripts.SessionInfo{{ID: "s1", Proto: wire.SMTP, Role: wire.RoleMX, Peer: "127.0.0.1:1" + atkCSI, Opened: at}},
		Lines: []transcripts.Line{{
			Seq: 1, Session: "s1", Proto: wire.SMTP, Role: wire.RoleMX, Dir: wire.FromServer, Kind: wire.Line, Time: at,
			Text: text, Note: "the server is ready" + atkOSC52 + atkRLO, RFC: "RFC 5321" + atkCSI + atkC1R,
			Detail: "Detail" + atkOSC0 + "\n\nmore" + atkBEL, Level: transcripts.Success,
		}},
	}
	path := filepath.Join(t.TempDir(), "crafted.jsonl")
	var b bytes.Buffer
	if err := tr.Save(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// export --format text printed every field as it was.
func TestExportTextOSC52Escaped(t *testing.T) {
	out := runCLI(t, nil, "export", "--format", "text", craftedTranscript(t, "220 ready"+atkCSI+atkC1R+atkRLO))
	noRawControls(t, out)
	for _, want := range []string{`=== Lesson\x1b]0;PWNED\x07 ===`, `<-  220 ready\x1b[2J\u009b2J\u202e`, `ready\x1b]52;c;cHduZWQ=\x07\u202e`, `127.0.0.1:1\x1b[2J`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// export --format md printed every field raw too.
func TestExportMarkdownOSC52Escaped(t *testing.T) {
	out := runCLI(t, nil, "export", "--format", "md", craftedTranscript(t, "220 ready"+atkCSI+atkRLO))
	noRawControls(t, out)
}

// In Markdown a blank line in a text field left the code span, and what
// followed was read as Markdown: <script> came out as raw HTML. The
// handout is rendered by a CommonMark renderer that passes HTML through,
// as many do: no HTML of the transcript's may come out.
func TestExportMarkdownBlankLineScriptStaysInCode(t *testing.T) {
	for _, text := range []string{
		"220 ready\n\n<script>alert(1)</script>",
		"220 ready\r\n\r\n<img src=x onerror=alert(1)>",
		"``` <script>alert(1)</script> `",
	} {
		out := runCLI(t, nil, "export", "--format", "md", craftedTranscript(t, text))
		var page bytes.Buffer
		md := goldmark.New(goldmark.WithRendererOptions(html.WithUnsafe()))
		if err := md.Convert([]byte(out), &page); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(page.String(), "<script") || strings.Contains(page.String(), "<img") {
			t.Errorf("text %q: the handout holds raw HTML:\n%s\nfrom Markdown:\n%s", text, page.String(), out)
		}
		if !strings.Contains(page.String(), "<code>") {
			t.Errorf("text %q: no code span in:\n%s", text, page.String())
		}
	}
}

// The HTML export replaced control characters but kept bidi controls,
// which a browser obeys too.
func TestExportHTMLBidiEscaped(t *testing.T) {
	out := runCLI(t, nil, "export", "--format", "html", craftedTranscript(t, "220 ready"+atkRLO+"txt.exe"))
	noRawControls(t, out)
	if !strings.Contains(out, `220 ready\u202etxt.exe`) {
		t.Errorf("the override is not shown as a mark:\n%s", out)
	}
}

// A teacher's --lessons file's title reached `lessons list` raw.
func TestLessonTitleEscapeInList(t *testing.T) {
	src, err := os.ReadFile("tui/testdata/lessons/hello.md")
	if err != nil {
		t.Fatal(err)
	}
	lesson := strings.Replace(string(src), "title: Say hello to a server", `title: "Say hello \e]0;PWNED\a\e[2J\u202E\u009B to a server"`, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.md"), []byte(lesson), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file name is the teacher's too: its error message names it.
	if err := os.WriteFile(filepath.Join(dir, "broken"+atkOSC0+".md"), []byte("no front matter"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runCLI(t, nil, "lessons", "list", "--lessons", dir)
	noRawControls(t, out)
	for _, want := range []string{`Say hello \x1b]0;PWNED\x07\x1b[2J\u202e\u009b to a server`, `broken\x1b]0;PWNED\x07.md`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// serve's printer: a client's line with a bidi override (the annotators
// escaped control bytes already) is printed with the override as a mark.
func TestServePrinterBidiEscaped(t *testing.T) {
	var out bytes.Buffer
	annotators := transcripts.NewAnnotators(transcripts.AnnotateOptions{})
	for _, e := range []wire.Event{
		{Session: "s1", Proto: wire.SMTP, Role: wire.RoleMX, Dir: wire.Meta, Kind: wire.Open, Data: []byte("127.0.0.1:1")},
		{Session: "s1", Proto: wire.SMTP, Role: wire.RoleMX, Dir: wire.FromClient, Kind: wire.Line, Data: []byte("EHLO " + atkRLO + "exe.txt" + atkOSC52 + "\r\n")},
	} {
		printEvent(&out, e, annotators)
	}
	noRawControls(t, out.String())
	if !strings.Contains(out.String(), `EHLO \u202eexe.txt\x1b]52;c;cHduZWQ=\x07`) {
		t.Errorf("the line is not shown escaped:\n%s", out.String())
	}
}
