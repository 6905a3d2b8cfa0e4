package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// helpMarkdown is the F1 page: every key, what the colours mean, where
// files go.
func helpMarkdown(km KeyMap, saveDir string) string {
	var b strings.Builder
	b.WriteString("# Help\n\n")
	b.WriteString("mailtutor runs a small mail world inside this program. You type real protocol commands; " +
		"they travel over real TCP to real SMTP, POP3 and IMAP servers, and every line is explained.\n\n")
	b.WriteString("## Keys\n\n| key | what it does |\n|---|---|\n")
	for _, col := range km.FullHelp() {
		for _, k := range col {
			h := k.Help()
			fmt.Fprintf(&b, "| %s | %s |\n", h.Key, h.Desc)
		}
	}
	b.WriteString("\nEverything you type goes to the server exactly as typed, followed by CRLF. " +
		"Keys that do something else are function keys, ctrl or alt keys, so they never clash with typing.\n\n")
	b.WriteString("## Reading a conversation\n\n" +
		"- `C:` lines are what your client sent, `S:` lines what the server answered, `*` lines are things that happened to the connection (opened, TLS on, closed).\n" +
		"- Under each line, `↳` gives its meaning in one line; the side pane (F2) explains the selected line in full, with the RFC section.\n" +
		"- `≡` in the margin marks lines that travelled inside TLS: an eavesdropper saw only encrypted bytes.\n" +
		"- The note under a reply that ends a command says how it went, in a mark and a word as well as a colour: ✓ ok (a success), ⧗ temp (a temporary failure: the same command may work later), ✗ fail (a permanent failure or a refusal).\n\n")
	b.WriteString("## Special input\n\n" +
		"- After `DATA` and the server's `354`, the input collects the message: type header lines, an empty line, the body, then a line with only `.`; it is sent with CRLF line endings.\n" +
		"- In IMAP, a line ending with `{N}` announces a literal: type exactly N bytes (a line break counts 2).\n" +
		"- After `STARTTLS` (or POP3 `STLS`) and the server's go-ahead, mailtutor's client starts TLS by itself.\n\n")
	b.WriteString("## Watching real mail programs\n\n| key | what it does |\n|---|---|\n")
	wk := defaultWatchKeys()
	for _, k := range []key.Binding{wk.Card, wk.Faults, wk.Export, wk.Pause, wk.Filter} {
		h := k.Help()
		fmt.Fprintf(&b, "| %s | %s |\n", h.Key, h.Desc)
	}
	b.WriteString("\nThe Findings pane tells what the active session's program did, with the lines that show it; " +
		"the row under the state bar shows where to connect and the passwords. An export goes to the save directory's `exports` folder.\n\n")
	fmt.Fprintf(&b, "## Files\n\nctrl+s saves the conversation as a transcript in `%s` (the path is shown when saved). "+
		"Open it again from the home screen with *Replay a transcript*.\n", saveDir)
	return b.String()
}

// watchMarkdown explains how to point real mail programs at the world.
func watchMarkdown(w world) string {
	var b strings.Builder
	b.WriteString("# Watch real mail programs\n\n" +
		"The mail world inside mailtutor listens on this computer. Point a real mail program at it and every line it says is tapped and explained, just like yours.\n\n")
	if w == nil {
		b.WriteString("*The mail world is still starting…*\n")
		return b.String()
	}
	b.WriteString("| server | address |\n|---|---|\n")
	for _, r := range w.Roles() {
		fmt.Fprintf(&b, "| %s | %s |\n", r, w.Addr(r))
	}
	users := "`alice@example.com` / `wonderland`, `bob@example.org` / `builder`"
	if src, ok := w.(watchSource); ok {
		var us []string
		for _, u := range src.SetupInfo().Users {
			us = append(us, "`"+u.Address+"` / `"+u.Password+"`")
		}
		users = strings.Join(us, ", ")
	}
	b.WriteString("\nUsers: " + users + ".\n\n")
	if a := w.Addr(wire.RolePOP3); a != "" {
		fmt.Fprintf(&b, "Try it from another terminal:\n\n    curl -v pop3://%s/ --user alice:wonderland\n\n", a)
	}
	b.WriteString("F3 (or s) shows the set-up card: what to enter in Thunderbird, Outlook, Apple Mail or a phone, and the certificate's fingerprint. " +
		"For ports that stay the same from one run to the next, start `mailtutor watch`.\n")
	return b.String()
}
