package simulator

import (
	"context"
	"reflect"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/fault"
	"github.com/mailtutor/mailtutor/simulator/wire"
)

// mailOf is what a snapshot says of the mail: every mailbox's UIDs and
// flags, by user.
func mailOf(sn Snapshot) map[string][][2]any {
	out := map[string][][2]any{}
	for _, u := range sn.Users {
		for _, mb := range u.Mailboxes {
			for _, m := range mb.Messages {
				out[u.Address+"/"+mb.Name] = append(out[u.Address+"/"+mb.Name], [2]any{m.UID, m.Flags})
			}
			if len(mb.Messages) == 0 {
				out[u.Address+"/"+mb.Name] = nil
			}
		}
	}
	return out
}

// A lesson puts its world back through the simulator (lessons.Run.Redo):
// a message placed, a flag set over IMAP, a message deleted over POP3 and
// a fault switched on since SaveWorld are all undone by RestoreWorld, which
// waits for the POP3 session still holding the maildrop to end.
func TestRestoreWorldUndoesSessions(t *testing.T) {
	sim := newSim(t, Options{})
	before := sim.Snapshot()
	saved := sim.SaveWorld()

	if err := sim.Place("alice@example.com", "Archive", []byte("Subject: new\r\n\r\nhi\r\n"), nil, sim.Clock().Now()); err != nil {
		t.Fatal(err)
	}
	sim.SetFault(fault.Greylist, true)
	im := dial(t, sim, wire.RoleIMAP)
	im.line()
	im.imap("a1", "LOGIN alice wonderland")
	im.imap("a2", "SELECT INBOX")
	im.imap("a3", `STORE 1 +FLAGS (\Flagged)`)
	im.imap("a4", "LOGOUT")
	p := dial(t, sim, wire.RolePOP3)
	p.line()
	p.send("USER alice")
	p.line()
	p.send("PASS wonderland")
	p.line()
	p.send("DELE 1")
	p.line()
	if reflect.DeepEqual(mailOf(sim.Snapshot()), mailOf(before)) {
		t.Fatal("the sessions changed nothing")
	}

	done := make(chan error, 1)
	go func() { done <- sim.RestoreWorld(context.Background(), saved) }()
	p.send("QUIT") // commits the DELE and lets the maildrop go
	p.line()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	after := sim.Snapshot()
	if got, want := mailOf(after), mailOf(before); !reflect.DeepEqual(got, want) {
		t.Errorf("after RestoreWorld:\n%v\nwant\n%v", got, want)
	}
	if sim.Faults().On(fault.Greylist) {
		t.Error("the fault switched on since SaveWorld is still on")
	}
}
