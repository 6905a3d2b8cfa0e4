package findings

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// FuzzAnalyze feeds arbitrary client and server bytes through the protocol
// model and the findings: nothing may panic, and no credential the model
// marked may show in a finding, a program's name or user, or an export.
func FuzzAnalyze(f *testing.F) {
	seeds := []struct {
		proto    byte
		cli, srv string
	}{
		{0, "USER bob\r\nPASS hunter22\r\nUIDL\r\nRETR 1\r\nDELE 1\r\n", "+OK\r\n+OK\r\n+OK\r\n+OK\r\n1 a\r\n.\r\n+OK\r\nx\r\n.\r\n+OK\r\n"},
		{1, "a1 ID (\"name\" \"x\")\r\na2 LOGIN u hunter22\r\na3 FETCH 1:* (BODY.PEEK[HEADER])\r\na4 FETCH 2 BODY[]\r\na5 IDLE\r\nDONE\r\n", "* OK\r\na1 OK\r\na2 OK\r\na3 OK\r\na4 OK\r\n+ idling\r\na5 OK\r\n"},
		{1, "a1 LOGIN u {8}\r\nhunter22\r\na2 APPEND Sent {3+}\r\nabc\r\n", "* OK\r\n+ go\r\na1 OK\r\na2 OK\r\n"},
		{2, "EHLO x\r\nAUTH PLAIN AGFsaWNlAGh1bnRlcjIy\r\nAUTH LOGIN\r\nYWxpY2U=\r\naHVudGVyMjI=\r\n", "220 hi\r\n250 ok\r\n530 5.7.0 STARTTLS first\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n"},
		{1, "1 ID (\"name\" \"\\\"q\" \"version\")\r\n2 LOGIN \"\" \"\"\r\n3 uid fetch 1:* (rfc822)\r\n", "3 OK\r\n"},
	}
	for _, s := range seeds {
		f.Add(s.proto, []byte(s.cli), []byte(s.srv), uint8(7))
	}
	f.Fuzz(func(t *testing.T, proto byte, cli, srv []byte, chunk uint8) {
		role := []wire.Role{wire.RolePOP3, wire.RoleIMAP, wire.RoleSubmission, wire.RoleIMAPS}[int(proto)%4]
		w := newWorld()
		var secrets []string
		publish := func(s *script) func(wire.Piece) {
			return func(p wire.Piece) {
				e := p.Event()
				if !e.Secret.Empty() && e.Secret.End <= len(e.Data) {
					secret := e.Data[e.Secret.Start:e.Secret.End]
					secrets = append(secrets, string(secret))
					// A SASL PLAIN response's password, which the findings
					// decode the user name from.
					if dec, err := base64.StdEncoding.DecodeString(strings.TrimRight(string(secret), "\r\n")); err == nil {
						if parts := bytes.Split(dec, []byte{0}); len(parts) == 3 {
							secrets = append(secrets, string(parts[2]))
						}
					}
				}
				w.publish(e, s)
			}
		}
		for _, id := range []string{"s1", "s2"} {
			s := w.open(id, role)
			n := int(chunk%32) + 1
			c, v := cli, srv
			for len(c) > 0 || len(v) > 0 {
				k := min(n, len(c))
				s.split.Client(c[:k], publish(s))
				c = c[k:]
				k = min(n, len(v))
				s.split.Server(v[:k], publish(s))
				v = v[k:]
			}
			s.split.Flush(wire.FromClient, publish(s))
			s.tlsFailed(wire.TLSFailure(cli[:min(3, len(cli))]), string(srv[:min(5, len(srv))]))
			s.close()
		}
		a := New(Options{MaxLines: 200})
		for _, e := range w.events {
			a.Add(e)
		}
		var shown strings.Builder
		for _, p := range a.Programs() {
			shown.WriteString(p.Name + "\n" + p.User + "\n")
			for _, f := range p.Findings {
				shown.WriteString(f.Text + "\n" + evidence(f))
			}
			shown.WriteString(a.Markdown(p, ExportOptions{}))
			a.HTML(p, ExportOptions{})
		}
		// A secret may legitimately appear where the client also sent it
		// outside a secret (a user name equal to the password): only
		// secrets absent from every masked line count.
		var masked strings.Builder
		for _, e := range w.events {
			masked.Write(e.Masked())
		}
		out := shown.String()
		for _, s := range secrets {
			s = strings.TrimRight(s, "\r\n")
			if len(s) >= 6 && strings.Contains(out, wire.Visible(s)) && !strings.Contains(masked.String(), s) {
				t.Fatalf("the secret %q shows in the findings:\n%s", s, out)
			}
		}
	})
}
