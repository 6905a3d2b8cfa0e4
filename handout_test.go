package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// servedTranscript runs `serve --transcript`, sends a message over
// submission (STARTTLS, AUTH PLAIN) to the other domain, so the world's
// relay hop carries it to the MX, reads it back over POP3 and IMAP, and
// stops serve. Before stopping it checks that the file already holds the
// sessions: the recording is written as it goes, not kept for the end.
func servedTranscript(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "served.jsonl")
	cmd, addrs, sc := startServeProcess(t, "--quiet", "--transcript", path)
	go func() {
		for sc.Scan() {
		}
	}()

	c, err := smtp.Dial(addrs["submission"])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StartTLS(&tls.Config{InsecureSkipVerify: true, ServerName: "mail.example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "alice@example.com", "wonderland", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("alice@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("bob@example.org"); err != nil {
		t.Fatal(err)
	}
	wc, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(wc, "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: Lunch on Friday\r\n\r\nShall we meet at noon?\r\n")
	if err := wc.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()

	dialog(t, addrs["pop3"], "", []string{"USER bob@example.org", "PASS builder", "STAT", "RETR 1", "QUIT"})
	dialog(t, addrs["imap"], "a", []string{"LOGIN bob@example.org builder", "SELECT INBOX", "FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])", "LOGOUT"})

	// Written as it goes: the POP3 session is in the file while serve runs.
	waitForFile(t, path, `"text":"RETR 1"`)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
	return path
}

// dialog sends commands one at a time on a POP3 (tag "") or IMAP (tag
// prefix) connection, reading each reply to its end.
func dialog(t *testing.T, addr, tag string, cmds []string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	for i, c := range cmds {
		id := ""
		if tag != "" {
			id = fmt.Sprintf("%s%d ", tag, i+1)
		}
		fmt.Fprintf(conn, "%s%s\r\n", id, c)
		multi := tag == "" && (strings.HasPrefix(c, "RETR") || c == "LIST")
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			if tag != "" && strings.HasPrefix(l, id) || tag == "" && (!multi && (strings.HasPrefix(l, "+OK") || strings.HasPrefix(l, "-ERR")) || multi && l == ".\r\n") {
				break
			}
			if multi && strings.HasPrefix(l, "-ERR") {
				t.Fatalf("%s: %s", c, l)
			}
		}
	}
}

// waitForFile waits until the file holds want: the condition, not a time.
func waitForFile(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if bytes.Contains(b, []byte(want)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %s while serve ran:\n%s", path, want, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// export runs `mailtutor export` and returns its output.
func export(t *testing.T, format, path string) string {
	t.Helper()
	out, err := exec.Command(binary, "export", "--format", format, path).CombinedOutput()
	if err != nil {
		t.Fatalf("export --format %s: %v\n%s", format, err, out)
	}
	return string(out)
}

// secretsIn lists the credentials of the served sessions found in s.
func secretsIn(s string) []string {
	var found []string
	for _, secret := range []string{"wonderland", "builder",
		base64.StdEncoding.EncodeToString([]byte("\x00alice@example.com\x00wonderland"))} {
		if strings.Contains(s, secret) {
			found = append(found, secret)
		}
	}
	return found
}

// TestServeTranscriptBecomesAHandout: what serve served is recorded as a
// transcript that export (every format) and replay's loader read, with
// every session labelled, the relay hop drawn beside the submission that
// caused it, and no password anywhere.
func TestServeTranscriptBecomesAHandout(t *testing.T) {
	path := servedTranscript(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := secretsIn(string(raw)); len(s) > 0 {
		t.Errorf("the transcript holds %q", s)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := transcripts.Load(f) // what replay reads
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]bool{}
	for _, l := range tr.Lines {
		roles[string(l.Role)] = true
	}
	for _, r := range []string{"submission", "mx", "pop3", "imap"} {
		if !roles[r] {
			t.Errorf("no %s session in the transcript (roles %v)", r, roles)
		}
	}
	// Every line cites its RFC, and a message's header lines, read over
	// POP3, cite the message format's (RFC 5322), not POP3's.
	headers := 0
	for _, l := range tr.Lines {
		if l.Dir != wire.Meta && l.RFC == "" {
			t.Errorf("no RFC for %s %q", l.Session, l.Text)
		}
		for _, h := range []string{"From: ", "To: ", "Subject: ", "Date: "} {
			if l.Role == "pop3" && strings.HasPrefix(l.Text, h) {
				headers++
				if !strings.HasPrefix(l.RFC, "RFC 5322 ") {
					t.Errorf("header line %q cites %s", l.Text, l.RFC)
				}
			}
		}
	}
	if headers < 4 {
		t.Errorf("%d header lines in the POP3 RETR", headers)
	}
	if p := transcripts.NewPlayer(tr); p.Len() != len(tr.Lines) || p.Len() < 40 {
		t.Errorf("replay's player has %d lines of %d", p.Len(), len(tr.Lines))
	}

	page := export(t, "html", path)
	for _, want := range []string{
		"<dt>Role</dt><dd>SMTP submission: mail programs send here after logging in (port 587&#39;s job)</dd>",
		"<dt>Client</dt><dd>127.0.0.1:",
		"<dt>Server</dt><dd>mail.example.com, the submission listener</dd>",
		"<dt>TLS</dt><dd>plain text at first, then STARTTLS/STLS: TLS 1.3",
		"<dt>TLS</dt><dd>none: plain text, anyone on the path can read every line</dd>",
		"relay hop from mail.example.com",
		// The relay hop is the submission diagram's second pair of lanes.
		">relaying (as client)</text>",
		"The second pair of lanes is the relay hop",
		// The DATA body and the RETR, summarised in the diagram.
		"first line: From: Alice &lt;alice@example.com&gt;",
		"+OK ",
		"<section class=\"glossary\" id=\"glossary\">",
		"<code>From: Alice &lt;alice@example.com&gt;</code>\n<p class=\"note\">header From: the author, as the reader&#39;s mail program shows it <span class=\"rfc\">(RFC 5322 §3.6.2)</span>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML handout lacks %q", want)
		}
	}
	if n, sessions := strings.Count(page, "<figure>"), strings.Count(page, "<section class=\"session\""); n != sessions || n < 4 || strings.Count(page, "<svg") < n {
		t.Errorf("%d diagrams for %d sessions", n, sessions)
	}
	for _, format := range []string{"md", "text"} {
		out := export(t, format, path)
		for _, want := range []string{"mail.example.com, the submission listener", "relay hop", "TLS 1.3", "lossary"} {
			if !strings.Contains(out, want) {
				t.Errorf("export --format %s lacks %q", format, want)
			}
		}
		if s := secretsIn(out); len(s) > 0 {
			t.Errorf("export --format %s shows %q", format, s)
		}
	}
	if s := secretsIn(page); len(s) > 0 {
		t.Errorf("the HTML handout shows %q", s)
	}
}

// TestAnnotateToJSONLBecomesAHandout: a log turned into a transcript by
// `annotate --to jsonl` is read by export and by replay's loader, keeps
// every line, and masks the password.
func TestAnnotateToJSONLBecomesAHandout(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "pop.log")
	os.WriteFile(log, []byte("S: +OK ready\nC: USER bob\nS: +OK\nC: PASS s3cretpw\nS: +OK logged in\nC: RETR 1\nS: +OK 40 octets\nS: Subject: hello\nS: \nS: body\nS: .\nC: QUIT\nS: +OK bye\n"), 0o644)
	out, err := exec.Command(binary, "annotate", "--proto", "pop3", "--to", "jsonl", log).Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cretpw") {
		t.Error("annotate --to jsonl wrote the password")
	}
	jsonl := filepath.Join(dir, "pop.jsonl")
	os.WriteFile(jsonl, out, 0o644)
	tr, err := transcripts.Load(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("replay's loader refuses the transcript: %v\n%s", err, out)
	}
	if got := len(tr.Lines); got != 14 { // open and the 13 log lines
		t.Errorf("%d lines in the transcript, want 14", got)
	}
	text := export(t, "text", jsonl)
	for _, want := range []string{" -> RETR 1", "<-  Subject: hello", "# header Subject:", "client: not recorded", "=== glossary: each term once ===", "RETR (POP3)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text handout lacks %q:\n%s", want, text)
		}
	}
	page := export(t, "html", jsonl)
	if strings.Contains(page, "s3cretpw") || !strings.Contains(page, "<svg") {
		t.Errorf("HTML handout of the log: password shown or no diagram")
	}
}

// browserHandout exports the served transcript as HTML into a directory
// and returns its path and every note's text.
func browserHandout(t *testing.T) (htmlPath string, notes []string) {
	t.Helper()
	path := servedTranscript(t)
	htmlPath = filepath.Join(filepath.Dir(path), "handout.html")
	if out, err := exec.Command(binary, "export", "--format", "html", "-o", htmlPath, path).CombinedOutput(); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := transcripts.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range tr.Lines {
		if l.Note != "" {
			notes = append(notes, l.Note)
		}
	}
	return htmlPath, notes
}

// chromium runs Debian's chromium headless on the page with args.
func chromium(t *testing.T, page string, args ...string) {
	t.Helper()
	bin := requireTool(t, "chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}, args...)
	all = append(all, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, out)
	}
}

// TestHTMLHandoutScreenshot: the handout opened in a real browser draws
// something: the PNG exists and is not one blank colour.
func TestHTMLHandoutScreenshot(t *testing.T) {
	page, _ := browserHandout(t)
	shot := filepath.Join(filepath.Dir(page), "shot.png")
	chromium(t, page, "--window-size=1000,1400", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colours, dark := map[uint32]bool{}, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|bl>>8] = true
			if r>>8 < 100 && g>>8 < 100 && bl>>8 < 100 {
				dark++
			}
		}
	}
	if len(colours) < 8 || dark < 500 {
		t.Errorf("the screenshot looks blank: %d colours, %d dark pixels (%v)", len(colours), dark, b)
	}
	checkColours(t, img)
}

// checkColours: the diagram's arrows draw in their colours (the client's
// blue, a success's green), so the SVG was rendered, not only the text.
func checkColours(t *testing.T, img image.Image) {
	t.Helper()
	want := map[string][3]uint32{"client blue": {0x3a, 0x6e, 0xa5}, "success green": {0x2e, 0x8b, 0x3d}}
	b := img.Bounds()
	for name, c := range want {
		found := false
		for y := b.Min.Y; y < b.Max.Y && !found; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				if near(r>>8, c[0]) && near(g>>8, c[1]) && near(bl>>8, c[2]) {
					found = true
					break
				}
			}
		}
		if !found {
			t.Errorf("no %s pixel in the screenshot: the diagram was not drawn", name)
		}
	}
}

func near(a, b uint32) bool { return a+12 >= b && b+12 >= a }

// TestHTMLHandoutPrintsEveryNote: printed to PDF by the browser and read
// back with pdftotext, the handout holds every note's text (nothing folded
// away), and each session starts a page.
func TestHTMLHandoutPrintsEveryNote(t *testing.T) {
	page, notes := browserHandout(t)
	pdf := filepath.Join(filepath.Dir(page), "handout.pdf")
	chromium(t, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	pdftotext := requireTool(t, "pdftotext")
	out, err := exec.Command(pdftotext, pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := squeeze(string(out))
	missing := 0
	for _, n := range notes {
		if !strings.Contains(text, squeeze(n)) {
			missing++
			if missing <= 5 {
				t.Errorf("the printed handout lacks the note %q", n)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d notes missing from the PDF", missing, len(notes))
	}
	// Pages: a session per page at least (page breaks between sessions).
	pages := strings.Count(string(out), "\f")
	if sessions := strings.Count(text, "Role "); pages < sessions {
		t.Errorf("%d pages for %d sessions: sessions do not start pages", pages, sessions)
	}
}

// squeeze makes text comparable across a PDF's line breaks: whitespace
// runs vanish, ligatures are spelled out, and dashes go (pdftotext joins
// "LITERAL-" at a line's end to the next word).
func squeeze(s string) string {
	s = strings.NewReplacer("ﬁ", "fi", "ﬂ", "fl", "ﬀ", "ff", "-", "").Replace(s)
	return strings.Join(strings.Fields(s), "")
}

// TestHTMLHandoutPassesTidy: the HTML validator finds no error and no
// warning in the handout.
func TestHTMLHandoutPassesTidy(t *testing.T) {
	bin := requireTool(t, "tidy")
	page, _ := browserHandout(t)
	out, err := exec.Command(bin, "-e", "-q", page).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("tidy -e -q: %v\n%s", err, out)
	}
	// A hostile log, made a handout, is still valid HTML.
	dir := t.TempDir()
	log := filepath.Join(dir, "hostile.log")
	os.WriteFile(log, []byte("S: +OK </code><script>alert(1)</script>\nC: USER \u202e<b>&amp;\nS: +OK\nC: RETR 1\nS: +OK 9 octets\n"+
		"S: Subject: [x](https://evil.example) <img src=x> **b**\nS: \nS: ``` `\nS: .\n"), 0o644)
	jsonl, err := exec.Command(binary, "annotate", "--proto", "pop3", "--to", "jsonl", log).Output()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "hostile.jsonl"), jsonl, 0o644)
	html := filepath.Join(dir, "hostile.html")
	if out, err := exec.Command(binary, "export", "--format", "html", "-o", html, filepath.Join(dir, "hostile.jsonl")).CombinedOutput(); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "-e", "-q", html).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("tidy -e -q on the hostile handout: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(html)
	if bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("<img")) || bytes.Contains(b, []byte("\u202e")) {
		t.Error("the hostile handout holds a script, an image or a bidi control")
	}
}
