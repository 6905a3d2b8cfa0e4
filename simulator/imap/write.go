package imap

import (
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// Store serves STORE and UID STORE. The session's own FETCH FLAGS replies are
// written here; other sessions get theirs through the tracker.
func (s *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) (err error) {
	if s.sel.readOnly {
		return errReadOnly
	}
	if err := s.beyondClient(numSet); err != nil {
		return err
	}
	if err := checkClientFlags(flags.Flags); err != nil {
		return err
	}
	targets, gone := s.resolve(numSet)
	seqOf := make(map[uint32]uint32, len(targets))
	uids := make([]uint32, 0, len(targets))
	for _, t := range targets {
		uids = append(uids, t.msg.UID)
		seqOf[t.msg.UID] = t.seq
	}
	var op store.FlagOp
	switch flags.Op {
	case imap.StoreFlagsAdd:
		op = store.FlagsAdd
	case imap.StoreFlagsDel:
		op = store.FlagsRemove
	default:
		op = store.FlagsReplace
	}
	var names []string
	for _, f := range flags.Flags {
		if strings.EqualFold(string(f), store.Recent) {
			continue // \Recent is the server's to set (RFC 3501 §2.3.2)
		}
		names = append(names, string(f))
	}
	before := s.keywordCount()
	updated := s.sel.mb.StoreFlags(uids, op, names, s.sel.tracker)
	if gone {
		// The others were changed; the client learns of the expunge at
		// its next NOOP (RFC 2180 §4.2.1).
		defer func() {
			if err == nil {
				err = errExpungeIssued
			}
		}()
	}
	if flags.Silent {
		return nil
	}
	_, isUID := numSet.(imap.UIDSet)
	if s.keywordCount() != before {
		// A new keyword: the tracker has queued a new FLAGS list for every
		// session, this one included; our replies must come after it.
		for _, m := range updated {
			s.sel.echo = append(s.sel.echo, storeEcho{uid: m.UID, withUID: isUID})
		}
		return nil
	}
	for _, m := range updated {
		rw := w.CreateMessage(seqOf[m.UID])
		if isUID {
			rw.WriteUID(imap.UID(m.UID))
		}
		rw.WriteFlags(s.flagsOf(m))
		if err := rw.Close(); err != nil {
			return err
		}
	}
	return nil
}

// keywordCount is how many keywords the mailbox's FLAGS list holds; the
// watcher grows it synchronously as changes bring new ones.
func (s *session) keywordCount() int {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	return len(s.sel.box.keywords)
}

// Expunge serves EXPUNGE, UID EXPUNGE and the silent expunge of CLOSE. The
// "* n EXPUNGE" lines come from the tracker when the library polls after the
// command, in the order the store removed the messages.
func (s *session) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	if s.sel.readOnly {
		// The library's CLOSE passes a writer with no connection: CLOSE on
		// an EXAMINEd mailbox simply expunges nothing (RFC 3501 §6.4.2).
		if *w == (imapserver.ExpungeWriter{}) {
			return nil
		}
		return errReadOnly
	}
	if uids == nil {
		s.sel.mb.Expunge(nil, s.sel.tracker)
		return nil
	}
	targets, _ := s.resolve(*uids)
	var remove []uint32
	for _, t := range targets {
		if t.msg.Has(store.Deleted) {
			remove = append(remove, t.msg.UID)
		}
	}
	if len(remove) > 0 {
		s.sel.mb.Expunge(remove, s.sel.tracker)
	}
	return nil
}

func (s *session) destination(name string) (*store.Mailbox, error) {
	mb, err := s.user.Mailbox(name)
	if err != nil {
		return nil, errTryMbox
	}
	return mb, nil
}

func (s *session) Copy(numSet imap.NumSet, destName string) (*imap.CopyData, error) {
	dest, err := s.destination(destName)
	if err != nil {
		return nil, err
	}
	return s.copyOrMove(numSet, dest, false)
}

func (s *session) copyOrMove(numSet imap.NumSet, dest *store.Mailbox, move bool) (*imap.CopyData, error) {
	if err := s.beyondClient(numSet); err != nil {
		return nil, err
	}
	targets, gone := s.resolve(numSet)
	if gone {
		return nil, errExpungeIssued // RFC 2180 §4.4.1: copy nothing
	}
	var uids []uint32
	for _, t := range targets {
		uids = append(uids, t.msg.UID)
	}
	if len(uids) == 0 {
		return nil, nil
	}
	res, err := s.sel.mb.CopyTo(uids, dest, move, s.sel.tracker)
	if errors.Is(err, store.ErrOverQuota) || errors.Is(err, store.ErrStoreFull) {
		return nil, storeErr(err) // nothing was copied, nothing moved
	}
	if err != nil {
		return nil, errTryMbox
	}
	if len(res.SourceUIDs) == 0 {
		return nil, nil
	}
	data := &imap.CopyData{UIDValidity: res.UIDValidity}
	for i := range res.SourceUIDs {
		data.SourceUIDs.AddNum(imap.UID(res.SourceUIDs[i]))
		data.DestUIDs.AddNum(imap.UID(res.DestUIDs[i]))
	}
	return data, nil
}

// Move serves MOVE and UID MOVE (RFC 6851): "* OK [COPYUID ...]" here, then
// the EXPUNGE lines from the tracker when the library polls, each with the
// sequence number valid at that moment (never the memserver's "* 0 EXPUNGE").
func (s *session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, destName string) error {
	if s.sel.readOnly {
		return errReadOnly
	}
	dest, err := s.destination(destName)
	if err != nil {
		return err
	}
	data, err := s.copyOrMove(numSet, dest, true)
	if err != nil || data == nil {
		return err
	}
	return w.WriteCopyData(data)
}

// Append stores a message only once its literal has fully arrived: a client
// that vanishes mid-literal leaves nothing behind.
func (s *session) Append(name string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	mb, err := s.destination(name)
	if err == nil {
		err = checkClientFlags(options.Flags)
	}
	if err != nil {
		io.Copy(io.Discard, r)
		return nil, err
	}
	raw, err := io.ReadAll(r)
	if err == nil && int64(len(raw)) != r.Size() {
		// The literal reader ends with a plain EOF when the client hangs
		// up: a short literal is a lost client, not a short message.
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	var flags []string
	for _, f := range options.Flags {
		flags = append(flags, string(f))
	}
	uid, err := mb.Append(raw, flags, options.Time, s.sel.trackerOrNil())
	if errors.Is(err, store.ErrOverQuota) || errors.Is(err, store.ErrStoreFull) {
		return nil, storeErr(err)
	}
	if err != nil {
		return nil, errTryMbox
	}
	return &imap.AppendData{UIDValidity: mb.UIDValidity(), UID: imap.UID(uid)}, nil
}

// trackerOrNil is the origin to give the store for changes outside the
// selected mailbox's flag updates (it only matters for FlagsChanged).
func (sel *selected) trackerOrNil() any {
	if sel == nil {
		return nil
	}
	return sel.tracker
}

// checkClientFlags refuses a flag starting with a backslash that is not a
// system flag. Such a flag-extension is reserved for future standards, and
// a server "MUST NOT generate" one (RFC 9051 §9, flag-extension), so
// storing it to show it back later is no option. \Recent is a system flag
// only the server sets (RFC 3501 §2.3.2); a client replaying a flag list
// it fetched may carry it, and it is ignored rather than refused.
func checkClientFlags(flags []imap.Flag) error {
	for _, f := range flags {
		if name := string(f); strings.HasPrefix(name, `\`) && !store.IsSystemFlag(name) {
			return &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeClientBug,
				Text: "Unknown system flag " + shortText(name, 40) + `: the flags starting with \ are \Seen, \Answered, \Flagged, \Deleted and \Draft; a keyword of your own has no backslash`}
		}
	}
	return nil
}

// shortText is a client's atom quoted back in a reply, cut to max bytes.
func shortText(s string, max int) string {
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
