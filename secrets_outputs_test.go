package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// TestPipelinedSecretsReachNoOutput runs pipelined logins of every kind over
// TCP, in plaintext and inside TLS (AUTHENTICATE PLAIN and a LOGIN literal
// behind NOOP, AUTH LOGIN with an initial response and with its responses
// sent before the 334s, POP3 USER/PASS and AUTH PLAIN in one write), then looks for
// the password and its base64 in every output: serve's printer, the saved
// transcript, and the Markdown, HTML and text exports.
func TestPipelinedSecretsReachNoOutput(t *testing.T) {
	sim, err := simulator.New(simulator.Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	rec := transcripts.NewRecorder(sim, transcripts.RecorderOptions{Title: "secrets"})
	printed := sim.Subscribe(wire.SubscribeOptions{Lossless: true})

	const pass = "wonderland"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	plain := b64("\x00alice\x00" + pass)
	dial := func(role wire.Role) (net.Conn, *bufio.Reader) {
		var c net.Conn
		var err error
		if role.ImplicitTLS() {
			c, err = tls.Dial("tcp", sim.Addr(role), &tls.Config{RootCAs: sim.CertPool(), ServerName: "localhost"})
		} else {
			c, err = net.Dial("tcp", sim.Addr(role))
		}
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		r.ReadString('\n')
		return c, r
	}
	until := func(r *bufio.Reader, prefix string) {
		t.Helper()
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("waiting for %q: %v", prefix, err)
			}
			if strings.HasPrefix(l, prefix) {
				return
			}
		}
	}
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		c, r := dial(role)
		c.Write([]byte("a1 NOOP\r\na2 AUTHENTICATE PLAIN\r\n"))
		until(r, "+")
		c.Write([]byte(plain + "\r\n"))
		until(r, "a2 OK")
		c.Close()
		c, r = dial(role)
		c.Write([]byte("a1 NOOP\r\na2 LOGIN alice {10}\r\n"))
		until(r, "+")
		c.Write([]byte(pass + "\r\n"))
		until(r, "a2 OK")
		c.Write([]byte("q  LOGIN alice " + pass + "\r\n"))
		until(r, "q BAD")
		c.Close()
	}
	for _, role := range []wire.Role{wire.RoleSubmissions} {
		c, r := dial(role)
		c.Write([]byte("EHLO me\r\nAUTH LOGIN " + b64("alice") + "\r\n"))
		until(r, "334")
		c.Write([]byte(b64(pass) + "\r\n"))
		until(r, "235")
		c.Close()
		c, r = dial(role)
		c.Write([]byte("EHLO me\r\nAUTH LOGIN\r\n" + b64("alice") + "\r\n" + b64(pass) + "\r\n"))
		until(r, "235")
		c.Close()
	}
	for _, role := range []wire.Role{wire.RolePOP3, wire.RolePOP3S} {
		c, r := dial(role)
		c.Write([]byte("USER alice\r\nPASS " + pass + "\r\nSTAT\r\nQUIT\r\n"))
		until(r, "+OK 3")
		c.Close()
		c, r = dial(role)
		c.Write([]byte("AUTH PLAIN\r\n" + plain + "\r\nQUIT\r\n"))
		until(r, "+OK")
		c.Close()
	}
	rec.Sync()
	sim.Close() // ends the printer's subscription once it has every event
	rec.Close()

	outputs := map[string]string{}
	var serveOut bytes.Buffer
	annotators := transcripts.NewAnnotators(transcripts.AnnotateOptions{})
	for e := range printed.Events() {
		printEvent(&serveOut, e, annotators)
	}
	outputs["serve"] = serveOut.String()
	tr := rec.Transcript()
	for name, write := range map[string]func(*bytes.Buffer) error{
		"transcript": func(b *bytes.Buffer) error { return tr.Save(b) },
		"markdown":   func(b *bytes.Buffer) error { return transcripts.WriteMarkdown(b, tr) },
		"html":       func(b *bytes.Buffer) error { return transcripts.WriteHTML(b, tr) },
		"text":       func(b *bytes.Buffer) error { return transcripts.WriteText(b, tr) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		outputs[name] = b.String()
	}
	if !strings.Contains(outputs["serve"], "AUTHENTICATE PLAIN") || !strings.Contains(outputs["text"], "AUTH LOGIN") {
		t.Fatal("the outputs lack the logins: the test saw nothing")
	}
	for name, out := range outputs {
		for _, secret := range []string{pass, b64(pass), plain} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows %q", name, secret)
			}
		}
	}
}
