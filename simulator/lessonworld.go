package simulator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/smtp"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// SavedWorld is the world at one moment: mailboxes, messages, flags, the
// outbound queue and the faults switched on (see SaveWorld). Sessions are
// not part of it.
type SavedWorld struct {
	mail     *store.Saved
	outbound []smtp.Envelope
	faults   []fault.Name
}

// SaveWorld remembers the world as it is now, for RestoreWorld. A lesson
// saves it when it begins, so that a learner stuck in a dead end (the
// message deleted, TLS started too early) can redo a step.
func (s *Simulator) SaveWorld() *SavedWorld {
	return &SavedWorld{mail: s.store.Save(), outbound: s.Outbound(), faults: s.faults.Active()}
}

// RestoreWorld puts the world back as SaveWorld found it. End the sessions
// first: a POP3 session holds its maildrop until the server notices the
// connection has gone, so RestoreWorld waits for the locks to go (until ctx
// ends), and an IMAP session left open would see its mailbox change without
// being told.
func (s *Simulator) RestoreWorld(ctx context.Context, w *SavedWorld) error {
	changed := make(chan struct{}, 1)
	cancel := s.store.Watch(func(c store.Change) {
		if c.Kind == store.MaildropChanged {
			select {
			case changed <- struct{}{}:
			default:
			}
		}
	})
	defer cancel()
	for {
		err := s.store.Restore(w.mail)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrMaildropInUse) {
			return err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("restoring the world: %w", err)
		}
	}
	s.mu.Lock()
	s.outbound = append([]smtp.Envelope(nil), w.outbound...)
	s.mu.Unlock()
	for _, f := range fault.All() {
		on := false
		for _, n := range w.faults {
			on = on || n == f.Name
		}
		s.faults.Enable(f.Name, on)
	}
	s.notify()
	return nil
}

// CreateMailbox creates a folder for a user; a folder that exists already is
// no error.
func (s *Simulator) CreateMailbox(user, name string) error {
	u, ok := s.store.LookupAddress(user)
	if !ok {
		return fmt.Errorf("no user %q in the simulator", user)
	}
	if _, err := u.Mailbox(name); err == nil {
		return nil
	}
	return u.CreateMailbox(name, "")
}

// Place puts a message in a user's mailbox (created if missing) with flags
// and an internal date, as if it had arrived earlier: a lesson's world. No
// wire events: nothing crossed a connection.
func (s *Simulator) Place(user, mailbox string, raw []byte, flags []string, date time.Time) error {
	if mailbox == "" {
		mailbox = "INBOX"
	}
	if err := s.CreateMailbox(user, mailbox); err != nil {
		return err
	}
	u, _ := s.store.LookupAddress(user)
	mb, err := u.Mailbox(mailbox)
	if err != nil {
		return err
	}
	_, err = mb.Append(store.NormalizeCRLF(raw), flags, date, nil)
	return err
}
