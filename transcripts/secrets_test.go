package transcripts

import (
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// TestAuthLoginInitialResponseHidesThePassword: "AUTH LOGIN <user>" (an
// initial response, as Python's smtplib and curl --sasl-ir send it) makes
// the first 334 ask for the password: its answer is the password, never
// shown as a user name.
func TestAuthLoginInitialResponseHidesThePassword(t *testing.T) {
	for _, steps := range [][]string{
		{"S:220 mx\r\n", "C:EHLO me\r\n", "S:250 mx\r\n", "C:AUTH LOGIN YWxpY2U=\r\n", "S:334 UGFzc3dvcmQ6\r\n", "C:U3cwcmRmaXNo\r\n", "S:235 2.7.0 ok\r\n"},
		// The responses sent before their prompts, in one write.
		{"S:220 mx\r\n", "C:EHLO me\r\n", "S:250 mx\r\n", "C:AUTH LOGIN\r\nYWxpY2U=\r\nU3cwcmRmaXNo\r\n", "S:334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 ok\r\n"},
		{"S:220 mx\r\n", "C:EHLO me\r\n", "S:250 mx\r\n", "C:AUTH PLAIN\r\nAGFsaWNlAFN3MHJkZmlzaA==\r\n", "S:334 \r\n235 2.7.0 ok\r\n"},
	} {
		lines := annotateAll(wire.SMTP, AnnotateOptions{}, events(wire.SMTP, wire.RoleSubmission, steps...))
		var all strings.Builder
		for _, l := range lines {
			all.WriteString(l.Text + " | " + l.Note + "\n")
		}
		for _, secret := range []string{"Sw0rdfish", "U3cwcmRmaXNo", "AGFsaWNlAFN3MHJkZmlzaA=="} {
			if strings.Contains(all.String(), secret) {
				t.Fatalf("%q shown:\n%s", secret, all.String())
			}
		}
	}
}

// TestRefusedLoginLinesHideThePassword: a LOGIN line the server refuses
// before reading it (two spaces after the tag, no tag) still carried the
// password; its annotation must not quote it.
func TestRefusedLoginLinesHideThePassword(t *testing.T) {
	for _, line := range []string{"q  LOGIN alice Sw0rdfish\r\n", "LOGIN alice Sw0rdfish\r\n", "+ LOGIN alice Sw0rdfish\r\n"} {
		lines := annotateAll(wire.IMAP, AnnotateOptions{}, events(wire.IMAP, wire.RoleIMAP, "S:* OK ready\r\n", "C:"+line))
		for _, l := range lines {
			if strings.Contains(l.Text+l.Note+l.Detail, "Sw0rdfish") {
				t.Fatalf("%q: shown in %q / %q", line, l.Text, l.Note)
			}
		}
	}
}
