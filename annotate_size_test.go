package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A log of many short sessions (a server's day of one-message
// connections) says each explanation in full once: a later session that
// needs the same note points back to the first session that said it
// ("= s1"), so the output is not the same page of notes again per
// session (a command-only log came out 6.3 times its size).
func TestAnnotateSaysARepeatedNoteOnce(t *testing.T) {
	session := "S: 220 mx.example.org ESMTP\nC: EHLO client.example.com\nS: 250-mx.example.org\nS: 250 PIPELINING\n" +
		"C: MAIL FROM:<alice@example.com>\nS: 250 2.1.0 Ok\nC: RCPT TO:<bob@example.org>\nS: 250 2.1.5 Ok\n" +
		"C: RSET\nS: 250 2.0.0 Ok\nC: QUIT\nS: 221 2.0.0 Bye\n"
	log := filepath.Join(t.TempDir(), "many.log")
	in := strings.Repeat(session, 200)
	if err := os.WriteFile(log, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := exec.Command(binary, "annotate", "--proto", "smtp", log).Output()
	if err != nil {
		t.Fatal(err)
	}
	out := string(raw)
	first, rest, _ := strings.Cut(out, "## session s2")
	for _, note := range []string{"# the client introduces itself as client.example.com", "# names envelope recipient <bob@example.org>", "# the server says goodbye"} {
		if !strings.Contains(first, note) {
			t.Errorf("session s1 lacks its note %q", note)
		}
		if strings.Contains(rest, note) {
			t.Errorf("a later session says %q again in full", note)
		}
	}
	if !strings.Contains(rest, "** [connected: session read from the cs log]\n     # = s1 (the same note as on this line in session s1, above)\n") {
		t.Errorf("the first back-reference does not say what it means:\n%.2000s", rest)
	}
	if n := strings.Count(rest, "     # = s1\n"); n < 199*12 {
		t.Errorf("%d back-references, want one per line of sessions s2-s200", n)
	}
	if ratio := float64(len(out)) / float64(len(in)); ratio > 2.5 {
		t.Errorf("output is %.1f times the input", ratio)
	}
}
