package simulator

import (
	"strings"
	"testing"
	"time"
)

// TestIMAPLiteralsInOddPlacesAreNeverServerBugs: literals where an
// argument may or may not be one, synchronising or not (sent without
// waiting for "+"), get a client-error answer, never NO [SERVERBUG], and
// never end the session.
func TestIMAPLiteralsInOddPlacesAreNeverServerBugs(t *testing.T) {
	sim := newSim(t, Options{})
	cmds := []string{
		"SELECT {3+}\r\nINB", "SELECT {0+}\r\n", "FETCH {1+}\r\n1 FLAGS", "FETCH 1 {5+}\r\nFLAGS",
		"SEARCH {3+}\r\nALL", "SEARCH CHARSET {5+}\r\nUTF-8 ALL", "STORE 1 {6+}\r\n+FLAGS (\\Seen)", "LIST {0+}\r\n *",
		"LIST \"\" {1+}\r\n*", "STATUS {5+}\r\nINBOX (MESSAGES)", "STATUS INBOX {10+}\r\n(MESSAGES)", "CREATE {3+}\r\nfoo",
		"RENAME {3+}\r\nfoo {3+}\r\nbar", "COPY 1 {5+}\r\nINBOX", "UID FETCH {1+}\r\n1 FLAGS", "APPEND {5+}\r\nINBOX {3+}\r\nabc",
		"APPEND INBOX ({5+}\r\n\\Seen) {3+}\r\nabc",
		"APPEND INBOX {3+}\r\nabc ({5+}\r\n\\Seen) {3+}\r\ndef", "APPEND INBOX {3+}\r\nabc {5+}\r\nINBOX {3+}\r\ndef",
		"APPEND INBOX {3+}\r\nabc UTF8 ({3+}\r\ndef)", "APPEND INBOX {3+}\r\nabc (\\Seen) {0+}\r\n",
		"SEARCH TEXT {2+}\r\nab CHARSET", "SEARCH HEADER {7+}\r\nSubject {2+}\r\nhi", "ENABLE {9+}\r\nIMAP4rev2",
		"FETCH 1 (BODY[HEADER.FIELDS ({7+}\r\nSubject)])", "SEARCH {1+}\r\n1", "MOVE 1 {5+}\r\nINBOX", "SUBSCRIBE {3+}\r\nfoo",
		"SEARCH UID {1+}\r\n1", "FETCH 1:* (FLAGS {0+}\r\n)", "LSUB {0+}\r\n {1+}\r\n*", "SELECT \"a\" {3+}\r\nabc",
	}
	n := len(cmds)
	for _, cmd := range cmds[:n] {
		cmds = append(cmds, strings.ReplaceAll(cmd, "+}", "}"))
	}
	for i, cmd := range cmds {
		c := imapLoggedIn(t, sim)
		c.imap("s", "SELECT INBOX")
		tag := "t" + strings.Repeat("x", i%3) + string(rune('a'+i%26))
		c.conn.SetDeadline(time.Now().Add(3 * time.Second))
		c.write(tag + " " + cmd + "\r\n")
		got := c.until(tag + " ")
		last := got[len(got)-1]
		if strings.Contains(last, "SERVERBUG") || strings.Contains(strings.Join(got, "|"), "BYE") && !strings.Contains(cmd, "1-Jan-2026") {
			t.Errorf("%q -> %q", cmd, got)
		}
	}
}
