package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestNeomuttIdle runs neomutt with imap_idle=yes in a real terminal
// (tmux) against serve: it opens the INBOX, flags a message, idles while
// mail arrives over SMTP, shows the new message, and quits. neomutt
// pipelines IDLE right behind the commands before it (RFC 9051 §5.5); the
// tap once took another command's tagged OK for the end of IDLE, answered
// DONE with BAD, and neomutt reconnected in a loop. It must log in once.
func TestNeomuttIdle(t *testing.T) {
	neomutt := requireTool(t, "neomutt")
	s, cert := startServeWithCert(t)
	home := t.TempDir()
	rc := filepath.Join(home, "neomuttrc")
	writeFile(t, rc, fmt.Sprintf(`set folder = "imap://alice@%s/"
set spoolfile = "+INBOX"
mailboxes +INBOX +Sent
set imap_user = "alice"
set imap_pass = "%s"
set ssl_starttls = yes
set ssl_force_tls = yes
set certificate_file = "%s"
set ssl_verify_host = no
set imap_idle = yes
set mail_check = 1
set mail_check_stats = yes
set timeout = 1
set header_cache = ""
set message_cachedir = ""
set record = ""
set sort = date
set wait_key = no
set quit = yes
set beep_new = no
`, s.addrs["imap"], alicePass, cert))

	keys, screen := startTmux(t, 120, 30, "env", "HOME="+home, "TERM=xterm-256color", neomutt, "-n", "-F", rc)

	// neomutt asks about a certificate it has not stored yet, even one
	// from certificate_file: accept it once, as a user would.
	screen("accept (o)nce")
	keys("o")
	// This neomutt asks for the password although imap_pass is set: type
	// it, as a user would.
	screen("Password for alice")
	keys("wonderland", "Enter")
	screen("Lunch on Friday")
	keys("F") // flag the message under the cursor
	keys("$") // and sync: neomutt stores flags on the server when it syncs
	waitOutput(t, s, `+FLAGS.SILENT (\Flagged)`, "STORE completed")

	// Mail arrives over SMTP while neomutt idles: the server pushes it.
	waitOutput(t, s, "IDLE")
	deliver(t, s.addrs["mx"], "alice@example.com", "Arrived while idling")
	screen("Arrived while idling")
	keys("q")
	out := waitOutput(t, s, "C: DONE")

	imapLogins := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "imap]") && (strings.Contains(l, " C: ") || strings.Contains(l, ") C: ")) &&
			(strings.Contains(l, " LOGIN ") || strings.Contains(l, " AUTHENTICATE ")) {
			imapLogins++
		}
		if strings.Contains(l, "imap]") && strings.Contains(l, "BAD") && strings.Contains(l, " S: ") {
			t.Errorf("the server answered BAD: %s", l)
		}
	}
	if imapLogins != 1 {
		t.Errorf("neomutt logged in %d times over IMAP, want 1 (it reconnects when IDLE goes wrong)", imapLogins)
	}
	noSecrets(t, out)
}
