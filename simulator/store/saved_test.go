package store

import (
	"testing"
	"time"
)

// Save then Restore brings back deleted messages, drops added ones and
// folders, and puts flags and UIDNEXT back as they were.
func TestSaveRestore(t *testing.T) {
	s := New(Options{})
	u, err := s.AddUser("alice@example.com", "pw")
	if err != nil {
		t.Fatal(err)
	}
	in := u.Inbox()
	uid1, _ := in.Append([]byte("Subject: one\r\n\r\nbody\r\n"), nil, time.Time{}, nil)
	in.Append([]byte("Subject: two\r\n\r\nbody\r\n"), nil, time.Time{}, nil)
	before := in.Status()
	sv := s.Save()

	in.StoreFlags([]uint32{uid1}, FlagsAdd, []string{`\Seen`}, nil)
	in.Expunge([]uint32{uid1}, nil)
	in.Append([]byte("Subject: three\r\n\r\nbody\r\n"), nil, time.Time{}, nil)
	if err := u.CreateMailbox("Projects", ""); err != nil {
		t.Fatal(err)
	}
	if err := u.DeleteMailbox("Archive"); err != nil {
		t.Fatal(err)
	}
	md, err := u.OpenMaildrop("pop3")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Restore(sv); err != ErrMaildropInUse {
		t.Fatalf("restore under a POP3 lock: %v", err)
	}
	md.Release()
	if err := s.Restore(sv); err != nil {
		t.Fatal(err)
	}
	after := in.Status()
	if after.Messages != 2 || after.UIDNext != before.UIDNext || after.Unseen != 2 || after.Size != before.Size {
		t.Fatalf("after restore %+v, before %+v", after, before)
	}
	if m, ok := in.ByUID(uid1); !ok || m.Has(`\Seen`) {
		t.Fatalf("message 1 back unread: %v %v", ok, m.Flags)
	}
	if _, err := u.Mailbox("Projects"); err == nil {
		t.Error("Projects survived the restore")
	}
	if _, err := u.Mailbox("Archive"); err != nil {
		t.Error("Archive not back:", err)
	}
	if got, want := u.Quota().Used, int64(before.Size); got != want {
		t.Errorf("quota used %d, want %d", got, want)
	}
}
