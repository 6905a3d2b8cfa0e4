package transcripts

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// A transcript exported from its file, session by session, is the same
// handout as the one exported from the loaded transcript, interleaved
// sessions included; and its JSONL copy loads back to the same lines.
func TestTranscriptFileExportsAsLoaded(t *testing.T) {
	tr := &Transcript{Version: FormatVersion, Title: "two sessions at once"}
	a := NewAnnotator("smtp", AnnotateOptions{})
	b := NewAnnotator("pop3", AnnotateOptions{})
	smtp := events("smtp", "submission", "S:220 mx ESMTP\r\n", "C:EHLO a\r\n", "S:250 mx\r\n", "C:QUIT\r\n", "S:221 bye\r\n")
	pop := events("pop3", "pop3", "S:+OK ready\r\n", "C:USER bob\r\n", "S:+OK\r\n", "C:QUIT\r\n", "S:+OK bye\r\n")
	for i := range smtp {
		smtp[i].Session, pop[i].Session = "s1", "s2"
		tr.Lines = append(tr.Lines, a.Annotate(smtp[i]), b.Annotate(pop[i]))
	}
	tr.Sessions = []SessionInfo{{ID: "s1", Proto: "smtp", Role: "submission"}, {ID: "s2", Proto: "pop3", Role: "pop3"}}
	path := filepath.Join(t.TempDir(), "t.jsonl")
	var saved bytes.Buffer
	if err := tr.Save(&saved); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, saved.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(bytes.NewReader(saved.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tf, err := OpenTranscript(f)
	if err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(*bytes.Buffer, Handout) error{
		"md":   func(w *bytes.Buffer, h Handout) error { return WriteMarkdown(w, h) },
		"html": func(w *bytes.Buffer, h Handout) error { return WriteHTML(w, h) },
		"text": func(w *bytes.Buffer, h Handout) error { return WriteText(w, h) },
	} {
		var want, got bytes.Buffer
		if err := write(&want, loaded); err != nil {
			t.Fatal(err)
		}
		if err := write(&got, tf); err != nil {
			t.Fatal(err)
		}
		if want.String() != got.String() {
			t.Errorf("%s export from the file differs from the loaded transcript's:\n%s\n---\n%s", name, got.String(), want.String())
		}
	}
	var copied bytes.Buffer
	if err := tf.Save(&copied); err != nil {
		t.Fatal(err)
	}
	again, err := Load(&copied)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Lines) != len(loaded.Lines) || len(again.Sessions) != 2 {
		t.Errorf("the JSONL copy holds %d lines, %d sessions; want %d, 2", len(again.Lines), len(again.Sessions), len(loaded.Lines))
	}
	// A broken line is an error naming it, as Load's are.
	if err := os.WriteFile(path, append(saved.Bytes(), "{not json\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	f2, _ := os.Open(path)
	defer f2.Close()
	if _, err := OpenTranscript(f2); err == nil || !bytes.Contains([]byte(err.Error()), []byte("invalid JSON")) {
		t.Errorf("a broken line: %v", err)
	}
}
