package main

import (
	"os/exec"
	"strings"
	"testing"
)

// explain takes a reply as the user pasted it, a leading "-" included, in
// one argument or many, and its output starts with the line to act on.
func TestExplainTakesWhatIsPasted(t *testing.T) {
	for _, c := range []struct {
		args  []string
		first string // what the first line must say
		also  string // what the rest must hold
	}{
		{[]string{"explain", "-ERR [IN-USE] Unable to lock maildrop"}, "another session holds the mailbox", "`IN-USE`"},
		{[]string{"explain", "-ERR", "[IN-USE]", "Unable", "to", "lock", "maildrop"}, "another session holds the mailbox", "`IN-USE`"},
		{[]string{"explain", "-ERR [AUTH] Authentication failed."}, "refused the user name or the password", "`-ERR`"},
		{[]string{"explain", "-ERR Permission denied"}, "the POP3 server refused the last command", "`-ERR`"},
		{[]string{"explain", "-ERR"}, "the POP3 server refused the last command", "`-ERR`"},
		{[]string{"explain", "NO [TRYCREATE] Mailbox doesn't exist: Archive"}, "folder named in the command does not exist", "`TRYCREATE`"},
		{[]string{"explain", "a3 NO [TRYCREATE] no such mailbox"}, "create the folder", "`TRYCREATE`"},
		{[]string{"explain", "454 4.7.1 <x@y.com>: Relay access denied"}, "log in (AUTH)", "## What the server's words mean"},
		{[]string{"explain", "--plain", "-ERR [IN-USE]"}, "another session holds the mailbox", "`IN-USE`"},
		{[]string{"explain", "--", "-ERR [IN-USE]"}, "another session holds the mailbox", "`IN-USE`"},
	} {
		out := runClient(t, binary, c.args...)
		first, rest, _ := strings.Cut(out, "\n")
		if !strings.HasPrefix(first, "Likely cause: ") || !strings.Contains(first, c.first) || !strings.Contains(rest, c.also) {
			t.Errorf("mailtutor %q:\nfirst line %q, want one saying %q; the rest must hold %q:\n%s", c.args, first, c.first, c.also, out)
		}
	}
	// For a relay refusal the fix comes first, not greylisting's "wait".
	out := runClient(t, binary, "explain", "454 4.7.1 <x@y.com>: Relay access denied")
	first, _, _ := strings.Cut(out, "\n")
	if !strings.Contains(first, "587") || strings.Contains(strings.ToLower(first), "greylist") {
		t.Errorf("relay refusal's first line: %q", first)
	}
	// --help is still help, and an empty query an error.
	if help := runClient(t, binary, "explain", "--help"); !strings.Contains(help, "Usage:") {
		t.Errorf("explain --help:\n%s", help)
	}
	if err := exec.Command(binary, "explain").Run(); err == nil {
		t.Error("explain with nothing to explain succeeded")
	}
}
