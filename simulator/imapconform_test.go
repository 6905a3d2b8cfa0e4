package simulator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// A LIST pattern of every atom character that is no letter (valid in
// LIST's grammar, RFC 9051 §9 list-char, but not valid modified UTF-7) is
// answered OK with what matches, nothing here, and the session goes on;
// SELECT of such a name answers NO, as for any name that names no
// mailbox (Dovecot does both). go-imap calls both an internal error.
func TestListOfAtomSpecialsIsOKAndSelectOfTheNameIsNO(t *testing.T) {
	sim := newSim(t, Options{})
	const pattern = "!#$&'+,-.0123456789:;<=>?@^_`|[}%*"
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		c := dial(t, sim, role)
		c.line()
		c.imap("a1", "LOGIN alice wonderland")
		for _, tc := range []struct{ cmd, want string }{
			{`LIST "" ` + pattern, "b1 OK LIST completed"},
			{`LIST "" "` + pattern + `"`, "b2 OK LIST completed"},
			{`LSUB "" ` + pattern, "b3 OK LSUB completed"},
			{`LIST (SUBSCRIBED) "" (` + pattern + ` "%")`, "b4 OK LIST completed"},
			{`SELECT "` + strings.TrimSuffix(pattern, "%*") + `"`, "b5 NO [NONEXISTENT] "},
			{`EXAMINE "&Jjo"`, "b6 NO [NONEXISTENT] "},
			{`STATUS "&Jjo" (MESSAGES)`, "b7 NO [NONEXISTENT] "},
		} {
			tag, _, _ := strings.Cut(tc.want, " ")
			out := c.imap(tag, tc.cmd)
			if got := out[len(out)-1]; !strings.HasPrefix(got, tc.want) {
				t.Errorf("%s: %s: %q, want %q", role, tc.cmd, out, tc.want)
			}
			if tag == "b4" && strings.Join(out, "\n") == out[len(out)-1] {
				t.Errorf("%s: %s: the valid pattern %% lists nothing: %q", role, tc.cmd, out)
			}
		}
		if out := c.imap("c1", "NOOP"); !strings.HasPrefix(out[len(out)-1], "c1 OK") {
			t.Fatalf("%s: the session must go on: %q", role, out)
		}
		// A stray & stands for itself, as in Dovecot; a valid run still
		// decodes.
		c.imap("d1", `CREATE "R&-D"`)
		c.imap("d2", `CREATE "Caf&AOk-"`)
		if out := c.imap("d3", `LIST "" R&D*`); out[0] != `* LIST (\HasNoChildren) "/" "R&-D"` {
			t.Errorf("%s: LIST R&D*: %q", role, out)
		}
		if out := c.imap("d4", `LIST "" "Caf&AOk-"`); out[0] != `* LIST (\HasNoChildren) "/" "Caf&AOk-"` {
			t.Errorf("%s: LIST Caf&AOk-: %q", role, out)
		}
	}
}

// BINARY (RFC 3516) is advertised, and a partial BINARY fetch comes back
// with its origin, BINARY[1]<0>, as RFC 3516 §4.2 writes it (go-imap's
// encoder leaves the origin out).
func TestBinaryIsAdvertisedAndPartialsKeepTheirOrigin(t *testing.T) {
	sim := newSim(t, Options{})
	msg := "From: bob@example.org\r\nSubject: b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gYmluYXJ5IHdvcmxk\r\n--x--\r\n"
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		c := dial(t, sim, role)
		if greeting := c.line(); !strings.Contains(greeting, "IMAP4rev1") {
			t.Fatal(greeting)
		}
		login := c.imap("a1", "LOGIN alice wonderland")
		if !strings.Contains(" "+login[len(login)-1], " BINARY ") {
			t.Errorf("%s: BINARY not advertised: %q", role, login)
		}
		c.send("a2 APPEND INBOX {" + fmt.Sprint(len(msg)) + "+}\r\n" + msg)
		c.line()
		c.imap("a3", "SELECT INBOX")
		for _, tc := range []struct{ cmd, want string }{
			{"FETCH * BINARY.PEEK[1]<0.40>", " FETCH (BINARY[1]<0> ~{18}"},
			{"FETCH * BINARY.PEEK[1]<6.6>", " FETCH (BINARY[1]<6> ~{6}"},
			{"FETCH * (BINARY.PEEK[1]<0.5> BINARY.PEEK[1]<6.6>)", " BINARY[1]<6> ~{6}"},
			{"FETCH * BINARY.PEEK[]<0.4>", " FETCH (BINARY[]<0> ~{4}"},
			{"FETCH * BINARY.PEEK[1]", " FETCH (BINARY[1] ~{18}"},
		} {
			out := strings.Join(c.imap("b1", tc.cmd), "\n")
			if !strings.Contains(out, tc.want) || strings.Contains(out, ".0.") {
				t.Errorf("%s: %s:\n%s\nwant %q", role, tc.cmd, out, tc.want)
			}
		}
	}
}
