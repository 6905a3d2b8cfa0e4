package simulator

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// extMessage is a message for the extension tests.
type extMessage struct {
	from, to, cc, subject, date, id, refs string
	body                                  string
}

func (m extMessage) raw() string {
	var b strings.Builder
	if m.from != "" {
		b.WriteString("From: " + m.from + "\r\n")
	}
	if m.to != "" {
		b.WriteString("To: " + m.to + "\r\n")
	}
	if m.cc != "" {
		b.WriteString("Cc: " + m.cc + "\r\n")
	}
	b.WriteString("Subject: " + m.subject + "\r\n")
	if m.date != "" {
		b.WriteString("Date: " + m.date + "\r\n")
	}
	if m.id != "" {
		b.WriteString("Message-ID: <" + m.id + ">\r\n")
	}
	if m.refs != "" {
		b.WriteString("References: " + m.refs + "\r\n")
	}
	b.WriteString("\r\n" + m.body + "\r\n")
	return b.String()
}

// extWorld starts a simulator whose alice has exactly msgs in her INBOX,
// arrived one minute apart in order.
func extWorld(t *testing.T, msgs []extMessage) *Simulator {
	t.Helper()
	sim := newSim(t, Options{NoSeed: true})
	var inbox = sim.Store().Users()[0].Inbox()
	arrived := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i, m := range msgs {
		if _, err := inbox.Append([]byte(m.raw()), nil, arrived.Add(time.Duration(i)*time.Minute), nil); err != nil {
			t.Fatal(err)
		}
	}
	return sim
}

// selected dials role, logs in as alice and selects her INBOX.
func selected(t *testing.T, sim *Simulator, role wire.Role) *client {
	t.Helper()
	c := dial(t, sim, role)
	c.line()
	c.imap("L", "LOGIN alice wonderland")
	c.imap("S", "SELECT INBOX")
	return c
}

func TestExtSmoke(t *testing.T) {
	sim := extWorld(t, []extMessage{
		{from: "b@x.org", subject: "b", date: "Mon, 2 Mar 2026 10:00:00 +0000"},
		{from: "a@x.org", subject: "a", date: "Mon, 2 Mar 2026 09:00:00 +0000"},
	})
	for _, role := range []wire.Role{wire.RoleIMAP, wire.RoleIMAPS} {
		c := selected(t, sim, role)
		fmt.Println(c.imap("x1", "SORT (SUBJECT) UTF-8 ALL"))
		fmt.Println(c.imap("x2", `ID ("name" "test")`))
		fmt.Println(c.imap("x3", "THREAD REFERENCES UTF-8 ALL"))
		fmt.Println(c.imap("x4", "CAPABILITY"))
	}
}
