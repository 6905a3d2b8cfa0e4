package lessons

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/fault"
)

// SimulatorOptions returns the options for a fresh simulator holding the
// lesson's world (users, seed messages, faults on at the start). The TUI
// starts one simulator per lesson with them; folders and messages the lesson
// adds are put in place by NewRun. Callers set the rest (StateDir, Logger...).
func (l *Lesson) SimulatorOptions() simulator.Options {
	var o simulator.Options
	for _, u := range l.World.Users {
		o.Users = append(o.Users, simulator.UserSpec{Address: u.Address, Password: u.Password,
			Token: u.Token, PasswordLoginOff: u.OAuthOnly})
	}
	o.NoSeed = l.World.Seed == "none"
	o.DNS = l.World.DNS
	if l.World.QuotaBytes > 0 {
		o.MailboxQuotaBytes = l.World.QuotaBytes
	}
	for _, f := range l.World.Faults {
		if n, err := fault.Parse(f); err == nil {
			o.Faults = append(o.Faults, n)
		}
	}
	return o
}

// applyWorld creates the lesson's extra folders and delivers its messages,
// and switches its faults on (in case the simulator was not built from
// SimulatorOptions). It asks the simulator: the lesson never writes the
// store itself.
func (l *Lesson) applyWorld(sim *simulator.Simulator) error {
	for _, f := range l.World.Faults {
		if n, err := fault.Parse(f); err == nil {
			sim.SetFault(n, true)
		}
	}
	for _, line := range l.World.DNS {
		if err := sim.SetDNS(line); err != nil {
			return fmt.Errorf("world: dns: %w", err)
		}
	}
	for _, mb := range l.World.Mailboxes {
		if err := sim.CreateMailbox(mb.User, mb.Name); err != nil {
			return fmt.Errorf("world: mailboxes: %s: %w", mb.Name, err)
		}
	}
	now := sim.Clock().Now()
	for i, m := range l.World.Messages {
		// Messages arrived "earlier", an hour apart, in the order listed.
		date := now.Add(-time.Duration(len(l.World.Messages)-i) * time.Hour)
		raw := l.attachments[m.File]
		if m.File == "" {
			raw = []byte(composeMessage(m, m.To, sim, date, i))
		}
		if err := sim.Place(m.To, m.Mailbox, raw, []string(m.Flags), date); err != nil {
			return fmt.Errorf("world: messages[%d]: %w", i+1, err)
		}
	}
	return nil
}

// composeMessage builds a plain text message from a MessageSpec.
func composeMessage(m MessageSpec, to string, sim *simulator.Simulator, date time.Time, i int) string {
	from := m.From
	if from == "" {
		from = "postmaster@" + domainOf(to)
		for _, u := range sim.Snapshot().Users {
			if !strings.EqualFold(u.Address, to) {
				from = u.Address
				break
			}
		}
	}
	body := strings.ReplaceAll(strings.TrimRight(m.Body, "\n"), "\n", "\r\n") + "\r\n"
	return "From: " + from + "\r\n" +
		"To: " + to + "\r\n" +
		"Subject: " + m.Subject + "\r\n" +
		"Date: " + date.Format("Mon, 02 Jan 2006 15:04:05 -0700") + "\r\n" +
		fmt.Sprintf("Message-ID: <lesson-%d@%s>\r\n", i+1, domainOf(from)) +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" + body
}

func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	if i := strings.IndexByte(d, '>'); i >= 0 {
		d = d[:i]
	}
	return d
}

// worldState copies what goals read from the simulator's snapshot.
func worldState(sim *simulator.Simulator) WorldState {
	sn := sim.Snapshot()
	var w WorldState
	for _, u := range sn.Users {
		for _, mb := range u.Mailboxes {
			b := BoxState{User: u.Address, Name: mb.Name}
			for _, m := range mb.Messages {
				b.Messages = append(b.Messages, MsgState{UID: m.UID, Flags: m.Flags, Subject: m.Subject, From: m.From, To: m.To,
					MarkedDeleted: m.MarkedDeleted, Body: m.Text, Header: m.Header})
			}
			w.Mailboxes = append(w.Mailboxes, b)
		}
	}
	for _, e := range sn.Outbound {
		w.Outbound = append(w.Outbound, Envelope{From: e.From, To: e.To})
	}
	return w
}
