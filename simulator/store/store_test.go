package store

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func newTestStore(t *testing.T) (*Store, *User) {
	t.Helper()
	s := New(Options{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	u, err := s.AddUser("alice@example.com", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser("bob@example.org", "builder"); err != nil {
		t.Fatal(err)
	}
	return s, u
}

func TestLoginByNameOrAddress(t *testing.T) {
	s, _ := newTestStore(t)
	for _, login := range []string{"alice", "ALICE", "alice@example.com", "Alice@Example.COM"} {
		if _, err := s.Authenticate(login, "wonderland"); err != nil {
			t.Errorf("%s: %v", login, err)
		}
	}
	if _, err := s.Authenticate("alice", "wrong"); err != ErrAuthFailed {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := s.Authenticate("carol", "x"); err != ErrAuthFailed {
		t.Errorf("unknown user: %v", err)
	}
	s.AddUser("alice@example.org", "other")
	if _, err := s.Authenticate("alice", "wonderland"); err != ErrAuthFailed {
		t.Errorf("ambiguous short name must not log in: %v", err)
	}
	if !s.IsLocalDomain("EXAMPLE.org") || s.IsLocalDomain("example.net") {
		t.Error("local domains")
	}
}

func TestAppendUIDsFlagsAndLookup(t *testing.T) {
	_, u := newTestStore(t)
	in := u.Inbox()
	for i := 0; i < 5; i++ {
		uid, err := in.Append([]byte(fmt.Sprintf("Subject: %d\n\nbody\n", i)), []string{`\SEEN`, "$Label1", "$label1", `\Recent`}, time.Time{}, nil)
		if err != nil || uid != uint32(i+1) {
			t.Fatalf("append %d: uid %d err %v", i, uid, err)
		}
	}
	m, ok := in.ByUID(3)
	if !ok || m.SeqNum != 3 || string(m.Body.Raw) != "Subject: 2\r\n\r\nbody\r\n" || m.Body.HeaderLen != len("Subject: 2\r\n\r\n") {
		t.Fatalf("ByUID(3) = %+v %q", m, m.Body.Raw)
	}
	if len(m.Flags) != 2 || m.Flags[0] != `\Seen` || m.Flags[1] != "$Label1" {
		t.Fatalf("flags = %q", m.Flags)
	}
	in.Expunge([]uint32{2}, nil)
	if m, _ := in.ByUID(3); m.SeqNum != 2 {
		t.Fatalf("after expunge seq of uid 3 = %d", m.SeqNum)
	}
	if _, ok := in.ByUID(2); ok {
		t.Fatal("uid 2 still there")
	}
	if m, ok := in.BySeq(4); !ok || m.UID != 5 {
		t.Fatalf("BySeq(4) = %+v", m)
	}
	st := in.Status()
	if st.Messages != 4 || st.UIDNext != 6 || st.Recent != 4 || st.Unseen != 0 {
		t.Fatalf("status %+v", st)
	}
}

func TestChangesCarrySequenceNumbers(t *testing.T) {
	s, u := newTestStore(t)
	in := u.Inbox()
	for i := 0; i < 4; i++ {
		in.Append([]byte("x\r\n\r\ny"), nil, time.Time{}, nil)
	}
	in.StoreFlags([]uint32{2, 4}, FlagsAdd, []string{Deleted}, "me")
	var got []string
	cancel := s.Watch(func(c Change) { got = append(got, fmt.Sprintf("%d:%d:%d", c.Kind, c.UID, c.SeqNum)) })
	removed := in.Expunge(nil, nil)
	cancel()
	if fmt.Sprint(removed) != "[2 4]" {
		t.Fatalf("removed %v", removed)
	}
	// uid 2 at seq 2; then uid 4, which is now at seq 3.
	if fmt.Sprint(got) != "[2:2:2 2:4:3]" {
		t.Fatalf("changes %v", got)
	}
}

func TestFlagChangesOnlyWhenChanged(t *testing.T) {
	s, u := newTestStore(t)
	in := u.Inbox()
	in.Append([]byte("x"), []string{Seen}, time.Time{}, nil)
	n := 0
	s.Watch(func(c Change) { n++ })
	in.StoreFlags([]uint32{1}, FlagsAdd, []string{`\seen`}, nil)
	if n != 0 {
		t.Fatal("no-op flag change was announced")
	}
	out := in.StoreFlags([]uint32{1, 99}, FlagsReplace, []string{Flagged}, nil)
	if n != 1 || len(out) != 1 || fmt.Sprint(out[0].Flags) != `[\Flagged]` {
		t.Fatalf("n=%d out=%+v", n, out)
	}
}

func TestCopyMoveKeepsFlagsAndGivesNewUIDs(t *testing.T) {
	_, u := newTestStore(t)
	in := u.Inbox()
	in.Append([]byte("a"), []string{Flagged}, time.Time{}, nil)
	in.Append([]byte("b"), nil, time.Time{}, nil)
	arch, _ := u.Mailbox("Archive")
	res, err := in.CopyTo([]uint32{2, 1}, arch, true, nil)
	if err != nil || fmt.Sprint(res.SourceUIDs, res.DestUIDs) != "[1 2] [1 2]" {
		t.Fatalf("res %+v err %v", res, err)
	}
	if in.Status().Messages != 0 || arch.Status().Messages != 2 {
		t.Fatal("move did not move")
	}
	if m, _ := arch.ByUID(1); !m.Has(Flagged) || string(m.Body.Raw) != "a" {
		t.Fatalf("copied %+v", m)
	}
}

func TestMailboxes(t *testing.T) {
	_, u := newTestStore(t)
	if err := u.CreateMailbox("Projects/2026", ""); err != nil {
		t.Fatal(err)
	}
	if err := u.CreateMailbox("projects/2026", ""); err != nil {
		t.Fatal("names are case-sensitive except INBOX")
	}
	if err := u.CreateMailbox("inbox", ""); err != ErrMailboxExists {
		t.Fatalf("inbox: %v", err)
	}
	if err := u.CreateMailbox("bad/", ""); err != ErrInvalidName {
		t.Fatalf("bad/: %v", err)
	}
	v1 := mustBox(t, u, "Projects/2026").UIDValidity()
	if err := u.RenameMailbox("Projects", "Work"); err != ErrNoSuchMailbox {
		t.Fatalf("rename of a missing parent: %v", err)
	}
	u.CreateMailbox("Projects", "")
	if err := u.RenameMailbox("Projects", "Work"); err != nil {
		t.Fatal(err)
	}
	if mustBox(t, u, "Work/2026").UIDValidity() != v1 {
		t.Fatal("rename must keep UIDVALIDITY")
	}
	// Deleting a parent leaves its children (RFC 3501 §6.3.4); the name
	// is no mailbox any more, so a second DELETE finds nothing.
	if err := u.DeleteMailbox("Work"); err != nil {
		t.Fatalf("delete parent: %v", err)
	}
	if mustBox(t, u, "Work/2026").UIDValidity() != v1 {
		t.Fatal("deleting the parent touched its child")
	}
	if err := u.DeleteMailbox("Work"); err != ErrNoSuchMailbox {
		t.Fatalf("delete a deleted parent again: %v", err)
	}
	u.DeleteMailbox("Work/2026")
	u.CreateMailbox("Work/2026", "")
	if mustBox(t, u, "Work/2026").UIDValidity() == v1 {
		t.Fatal("a re-created mailbox needs a new UIDVALIDITY")
	}
	if err := u.DeleteMailbox("INBOX"); err != ErrCannotDeleteInbox {
		t.Fatal(err)
	}
	u.Inbox().Append([]byte("m"), nil, time.Time{}, nil)
	if err := u.RenameMailbox("INBOX", "Old"); err != nil {
		t.Fatal(err)
	}
	if u.Inbox().Status().Messages != 0 || mustBox(t, u, "Old").Status().Messages != 1 {
		t.Fatal("renaming INBOX moves its messages and leaves it empty")
	}
}

func mustBox(t *testing.T, u *User, name string) *Mailbox {
	t.Helper()
	mb, err := u.Mailbox(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return mb
}

func TestMaildropLockMarksAndCommit(t *testing.T) {
	s, u := newTestStore(t)
	for i := 0; i < 3; i++ {
		u.Inbox().Append([]byte("m"), nil, time.Time{}, nil)
	}
	md, err := u.OpenMaildrop("pop1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.OpenMaildrop("pop2"); err != ErrMaildropInUse {
		t.Fatalf("second lock: %v", err)
	}
	md.MarkDeleted(2)
	if locks := s.MaildropLocks(); len(locks) != 1 || fmt.Sprint(locks[0].MarkedDeleted) != "[2]" {
		t.Fatalf("locks %+v", locks)
	}
	md.Release() // a dropped connection
	if u.Inbox().Status().Messages != 3 {
		t.Fatal("release must delete nothing")
	}
	md, _ = u.OpenMaildrop("pop3")
	md.MarkDeleted(1)
	md.MarkDeleted(3)
	md.Reset()
	md.MarkDeleted(3)
	if n := md.Commit(); n != 1 || u.Inbox().Status().Messages != 2 {
		t.Fatalf("commit removed %d", n)
	}
	if _, err := u.OpenMaildrop("pop4"); err != nil {
		t.Fatal("commit must release the lock")
	}
}

func TestRecentIsClaimedOnce(t *testing.T) {
	_, u := newTestStore(t)
	u.Inbox().Append([]byte("m"), nil, time.Time{}, nil)
	if got := u.Inbox().ClaimRecent(); fmt.Sprint(got) != "[1]" {
		t.Fatalf("first claim %v", got)
	}
	if got := u.Inbox().ClaimRecent(); len(got) != 0 {
		t.Fatalf("second claim %v", got)
	}
}

func TestNormalizeCRLF(t *testing.T) {
	for in, want := range map[string]string{"a\nb\n": "a\r\nb\r\n", "a\r\nb": "a\r\nb", "a\rb\r": "a\r\nb\r\n", "": "",
		"a\r\r\nb": "a\r\n\r\nb", "a\n\rb": "a\r\n\r\nb", "\r\n\n": "\r\n\r\n", "x\r\ny\rz\n": "x\r\ny\r\nz\r\n"} {
		if got := string(NormalizeCRLF([]byte(in))); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s, u := newTestStore(t)
	s.Watch(func(Change) {})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := u.Inbox()
			for i := 0; i < 200; i++ {
				uid, _ := in.Append([]byte("x"), nil, time.Time{}, nil)
				in.StoreFlags([]uint32{uid}, FlagsAdd, []string{Seen}, nil)
				in.Messages()
				if i%3 == 0 {
					in.Expunge([]uint32{uid}, nil)
				}
			}
		}()
	}
	wg.Wait()
	if st := u.Inbox().Status(); st.UIDNext != 1601 {
		t.Fatalf("uidnext %d", st.UIDNext)
	}
}

// BenchmarkStoreMemory reports bytes of heap per stored 2 KB message.
func BenchmarkAppend2KB(b *testing.B) {
	s := New(Options{})
	u, _ := s.AddUser("bench@example.com", "x")
	raw := make([]byte, 2048)
	for i := range raw {
		raw[i] = 'a'
	}
	copy(raw, "Subject: bench\r\n\r\n")
	b.ReportAllocs()
	b.SetBytes(2048)
	for i := 0; i < b.N; i++ {
		u.Inbox().Append(raw, nil, time.Time{}, nil)
	}
}

func TestSubscriptionOutlivesItsMailbox(t *testing.T) {
	_, u := newTestStore(t)
	u.CreateMailbox("Lists", "")
	if err := u.SetSubscribed("Lists", true); err != nil {
		t.Fatal(err)
	}
	u.DeleteMailbox("Lists")
	if fmt.Sprint(u.Subscriptions()) != "[Archive Drafts INBOX Junk Lists Sent Trash]" {
		t.Fatalf("subscriptions %v", u.Subscriptions())
	}
	if err := u.SetSubscribed("Nowhere", true); err != ErrNoSuchMailbox {
		t.Fatalf("subscribe to a missing mailbox: %v", err)
	}
	u.SetSubscribed("Lists", false)
	for _, n := range u.Subscriptions() {
		if n == "Lists" {
			t.Fatal("unsubscribe of a deleted mailbox's name failed")
		}
	}
}

// A message is found by UID whether UIDs run without gaps (a subtraction)
// or not (after an expunge, a binary search), and DotLines tells which
// messages POP3 must dot-stuff.
func TestLookupByUIDAndDotLines(t *testing.T) {
	_, u := newTestStore(t)
	mb := u.Inbox()
	bodies := []string{".starts with a dot\r\n", "Subject: a\r\n\r\nline\r\n.dot line\r\n", "Subject: b\r\n\r\nno dot. at line start\r\n", "x\r\n", "y\r\n"}
	for _, b := range bodies {
		if _, err := mb.Append([]byte(b), nil, time.Time{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []bool{true, true, false, false, false} {
		m, ok := mb.ByUID(uint32(i + 1))
		if !ok || string(m.Body.Raw) != bodies[i] {
			t.Fatalf("UID %d: %v %q", i+1, ok, m.Body.Raw)
		}
		first := m.Body.DotLines()
		cached := m.Body.DotLines() // the answer kept from the first call
		if first != want || cached != want {
			t.Errorf("UID %d: DotLines %v then %v, want %v", i+1, first, cached, want)
		}
	}
	mb.StoreFlags([]uint32{2, 4}, FlagsAdd, []string{Deleted}, nil)
	mb.Expunge(nil, nil)
	for uid, seq := range map[uint32]uint32{1: 1, 2: 0, 3: 2, 4: 0, 5: 3, 6: 0, 0: 0} {
		if got := mb.SeqOfUID(uid); got != seq {
			t.Errorf("after the expunge, UID %d is at %d, want %d", uid, got, seq)
		}
	}
}
