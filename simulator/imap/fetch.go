package imap

import (
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// Fetch answers FETCH and UID FETCH with exactly the items asked (the library
// adds UID for UID FETCH, as RFC 3501 requires), plus FLAGS when fetching a
// body without .PEEK has just set \Seen (RFC 3501 §6.4.5).
func (s *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if err := s.beyondClient(numSet); err != nil {
		return err
	}
	if err := checkSections(options); err != nil {
		return err
	}
	targets, gone := s.resolve(numSet)

	setSeen := false
	if !s.sel.readOnly {
		for _, bs := range options.BodySection {
			setSeen = setSeen || !bs.Peek
		}
		for _, bs := range options.BinarySection {
			setSeen = setSeen || !bs.Peek
		}
	}
	var changed map[uint32][]string // UID -> flags after setting \Seen
	if setSeen {
		var uids []uint32
		for _, t := range targets {
			if !t.msg.Has(store.Seen) {
				uids = append(uids, t.msg.UID)
			}
		}
		if len(uids) > 0 {
			// Our tracker as origin: other sessions get FETCH FLAGS, we
			// report the change in our own FETCH below.
			changed = make(map[uint32][]string, len(uids))
			for _, m := range s.sel.mb.StoreFlags(uids, store.FlagsAdd, []string{store.Seen}, s.sel.tracker) {
				changed[m.UID] = m.Flags
			}
		}
	}

	for _, t := range targets {
		flags, flagsChanged := changed[t.msg.UID]
		if flagsChanged {
			t.msg.Flags = flags
		}
		if err := s.fetchOne(w, t.seq, t.msg, options, flagsChanged); err != nil {
			return err
		}
	}
	if gone {
		return errExpungeIssued
	}
	return nil
}

func (s *session) fetchOne(w *imapserver.FetchWriter, seq uint32, m store.Message, options *imap.FetchOptions, flagsChanged bool) error {
	var pm *parsedMessage
	if options.Envelope || options.BodyStructure != nil || needsParse(options) {
		pm = s.srv.parsed(m.Body)
	}
	// Decode BINARY sections before writing anything, so that an unknown
	// transfer encoding can still be answered with a clean NO [UNKNOWN-CTE].
	binaries := make([][]byte, len(options.BinarySection))
	for i, sec := range options.BinarySection {
		data, err := pm.binary(m.Body.Raw, sec.Part)
		if err != nil {
			return err
		}
		binaries[i] = partial(data, sec.Partial)
	}
	binarySizes := make([]uint32, len(options.BinarySectionSize))
	for i, sec := range options.BinarySectionSize {
		data, err := pm.binary(m.Body.Raw, sec.Part)
		if err != nil {
			return err
		}
		binarySizes[i] = uint32(len(data))
	}

	rw := w.CreateMessage(seq)
	if options.UID {
		rw.WriteUID(imap.UID(m.UID))
	}
	if options.Flags || flagsChanged {
		rw.WriteFlags(s.flagsOf(m))
	}
	if options.InternalDate {
		rw.WriteInternalDate(m.InternalDate)
	}
	if options.RFC822Size {
		rw.WriteRFC822Size(int64(m.Body.Size()))
	}
	if options.Envelope {
		rw.WriteEnvelope(pm.wireEnvelope)
	}
	if options.BodyStructure != nil {
		rw.WriteBodyStructure(pm.structure)
	}
	for _, sec := range options.BodySection {
		var data []byte
		if len(sec.Part) == 0 && sec.Specifier == imap.PartSpecifierNone {
			// BODY[]: the stored bytes as they are, no parsing at all.
			data = partial(m.Body.Raw, sec.Partial)
		} else {
			data, _ = pm.section(m.Body.Raw, sec)
		}
		if err := writeLiteral(rw.WriteBodySection(sec, int64(len(data))), data); err != nil {
			return err
		}
	}
	for i, sec := range options.BinarySection {
		if sec.Partial != nil {
			sec = binaryOriginMarked(sec)
		}
		if err := writeLiteral(rw.WriteBinarySection(sec, int64(len(binaries[i]))), binaries[i]); err != nil {
			return err
		}
	}
	for i, sec := range options.BinarySectionSize {
		rw.WriteBinarySectionSize(sec, binarySizes[i])
	}
	return rw.Close()
}

func needsParse(options *imap.FetchOptions) bool {
	for _, sec := range options.BodySection {
		if len(sec.Part) > 0 || sec.Specifier != imap.PartSpecifierNone {
			return true
		}
	}
	return len(options.BinarySection) > 0 || len(options.BinarySectionSize) > 0
}

func writeLiteral(wc interface {
	Write([]byte) (int, error)
	Close() error
}, data []byte) error {
	if _, err := wc.Write(data); err != nil {
		wc.Close()
		return err
	}
	return wc.Close()
}

// checkSections refuses the section specs RFC 9051's grammar does not
// allow and go-imap's parser lets through: part number 0 (parts count from
// 1, "nz-number") and MIME without a part ("BODY[MIME]": the message's own
// header is BODY[HEADER]).
func checkSections(options *imap.FetchOptions) error {
	bad := func(text string) error {
		return &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeClientBug, Text: text}
	}
	check := func(part []int) error {
		for _, n := range part {
			if n <= 0 {
				return bad("Part numbers start at 1: BODY[1] is the first part (RFC 9051 §6.4.5)")
			}
		}
		return nil
	}
	for _, sec := range options.BodySection {
		if err := check(sec.Part); err != nil {
			return err
		}
		if sec.Specifier == imap.PartSpecifierMIME && len(sec.Part) == 0 {
			return bad("MIME needs a part number, as in BODY[1.MIME]; the message's own header is BODY[HEADER] (RFC 9051 §6.4.5)")
		}
	}
	for _, sec := range options.BinarySection {
		if err := check(sec.Part); err != nil {
			return err
		}
	}
	for _, sec := range options.BinarySectionSize {
		if err := check(sec.Part); err != nil {
			return err
		}
	}
	return nil
}
