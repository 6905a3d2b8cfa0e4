package imap

import (
	"errors"
	"reflect"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailtutor/mailtutor/simulator/store"
)

const delim = string(store.Delimiter)

// Create makes a mailbox and, as RFC 3501 §6.3.3 advises, any missing parent
// ("a/b/c" creates "a" and "a/b"). A trailing delimiter only says the client
// means to create children under the name, so it is dropped.
func (s *session) Create(name string, options *imap.CreateOptions) error {
	name = strings.TrimSuffix(name, delim)
	if strings.EqualFold(name, "INBOX") {
		return errNo(imap.ResponseCodeAlreadyExists, "INBOX always exists")
	}
	var use string
	switch len(options.SpecialUse) {
	case 0:
	case 1:
		use = string(options.SpecialUse[0])
		if !validSpecialUse(use) {
			return errNo("USEATTR", "Unknown special-use attribute "+use)
		}
	default:
		return errNo("USEATTR", "Only one special-use attribute per mailbox")
	}
	if err := s.createParents(name); err != nil {
		return err
	}
	return storeErr(s.user.CreateMailbox(name, use))
}

func validSpecialUse(use string) bool {
	for _, a := range []imap.MailboxAttr{imap.MailboxAttrSent, imap.MailboxAttrDrafts, imap.MailboxAttrTrash,
		imap.MailboxAttrJunk, imap.MailboxAttrArchive, imap.MailboxAttrAll, imap.MailboxAttrFlagged} {
		if strings.EqualFold(use, string(a)) {
			return true
		}
	}
	return false
}

func (s *session) createParents(name string) error {
	parts := strings.Split(name, delim)
	for i := 1; i < len(parts); i++ {
		parent := strings.Join(parts[:i], delim)
		err := s.user.CreateMailbox(parent, "")
		if err != nil && !errors.Is(err, store.ErrMailboxExists) {
			return storeErr(err)
		}
	}
	return nil
}

func (s *session) Delete(name string) error {
	return storeErr(s.user.DeleteMailbox(name))
}

func (s *session) Rename(oldName, newName string, options *imap.RenameOptions) error {
	newName = strings.TrimSuffix(newName, delim)
	if err := storeErr(s.user.RenameMailbox(oldName, newName)); err != nil {
		return err
	}
	// RFC 3501 §6.3.5: create the new name's missing superiors.
	return s.createParents(newName)
}

func (s *session) Subscribe(name string) error {
	return storeErr(s.user.SetSubscribed(name, true))
}

func (s *session) Unsubscribe(name string) error {
	return storeErr(s.user.SetSubscribed(name, false))
}

// listEntry is one name LIST may show: a real mailbox or a missing parent
// of one (shown \Noselect, since the store keeps no placeholders).
type listEntry struct {
	info        store.MailboxInfo
	placeholder bool
}

func (s *session) listEntries() []listEntry {
	infos := s.user.Mailboxes()
	exists := make(map[string]bool, len(infos))
	for _, in := range infos {
		exists[in.Name] = true
	}
	var out []listEntry
	for _, in := range infos {
		out = append(out, listEntry{info: in})
	}
	for _, in := range infos {
		parts := strings.Split(in.Name, delim)
		for i := 1; i < len(parts); i++ {
			parent := strings.Join(parts[:i], delim)
			if !exists[parent] {
				exists[parent] = true
				out = append(out, listEntry{info: store.MailboxInfo{Name: parent, HasChildren: true}, placeholder: true})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].info.Name, out[j].info.Name
		if (a == "INBOX") != (b == "INBOX") {
			return a == "INBOX"
		}
		return a < b
	})
	return out
}

// matchName tells whether a mailbox name matches LIST's reference and
// pattern. The two are joined as they are, as RFC 3501 §6.3.8's example
// ("#news." + "comp.mail.*") and Dovecot do: go-imap's MatchList puts a
// delimiter between them, so LIST "__x" "*" found "__x/y" but not "__xz"
// or "__x" itself. A pattern that starts with the delimiter names from the
// root and ignores the reference (the RFC's "/usr/doc/foo" row). INBOX
// matches case-insensitively (RFC 3501 §5.1: "inbox" and "INBOX" are the
// same mailbox).
func matchName(name, ref, pattern string) bool {
	full := ref + pattern
	if strings.HasPrefix(pattern, delim) {
		full = pattern
	}
	if imapserver.MatchList(name, store.Delimiter, "", full) {
		return true
	}
	if strings.HasPrefix(name, "INBOX") && len(full) >= 5 && strings.EqualFold(full[:5], "INBOX") {
		return imapserver.MatchList(name, store.Delimiter, "", "INBOX"+full[5:])
	}
	return false
}

// isLSUB tells the LSUB command from LIST (SUBSCRIBED): go-imap
// v2.0.0-beta.8 serves both through Session.List with the same options, and
// marks LSUB only in an unexported field of the writer. The two must answer
// differently (LSUB has no \Subscribed and shows unsubscribed parents as
// \Noselect, RFC 3501 §6.3.9; LIST (SUBSCRIBED) must show \Subscribed, RFC
// 5258 §3.1), so the field is read, not changed, through reflection.
func isLSUB(w *imapserver.ListWriter) bool {
	f := reflect.ValueOf(w).Elem().FieldByName("lsub")
	return f.IsValid() && f.Kind() == reflect.Bool && f.Bool()
}

// lsub answers LSUB: the subscribed names that match, with no attributes,
// and, where a pattern's "%" stops at an unsubscribed parent of a subscribed
// name, that parent with \Noselect (RFC 3501 §6.3.9).
func (s *session) lsub(w *imapserver.ListWriter, ref string, patterns []string) error {
	if len(patterns) == 0 {
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: store.Delimiter, Mailbox: ""})
	}
	matches := func(name string) bool {
		for _, p := range patterns {
			if matchName(name, ref, p) {
				return true
			}
		}
		return false
	}
	exists := make(map[string]bool)
	for _, in := range s.user.Mailboxes() {
		exists[in.Name] = true
	}
	subscribed := make(map[string]bool)
	for _, name := range s.user.Subscriptions() {
		subscribed[name] = true
	}
	shown := make(map[string]bool) // name -> \Noselect
	for name := range subscribed {
		if matches(name) {
			// A subscribed name whose mailbox was deleted stays on the list
			// (RFC 3501 §6.3.6) but cannot be selected.
			shown[name] = !exists[name]
			continue
		}
		parts := strings.Split(name, delim)
		for i := 1; i < len(parts); i++ {
			parent := strings.Join(parts[:i], delim)
			if !subscribed[parent] && matches(parent) {
				shown[parent] = true
			}
		}
	}
	names := make([]string, 0, len(shown))
	for name := range shown {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "INBOX") != (names[j] == "INBOX") {
			return names[i] == "INBOX"
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		data := &imap.ListData{Delim: store.Delimiter, Mailbox: name}
		if shown[name] {
			data.Attrs = []imap.MailboxAttr{imap.MailboxAttrNoSelect}
		}
		if err := w.WriteList(data); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if isLSUB(w) {
		return s.lsub(w, ref, patterns)
	}
	if len(patterns) == 0 {
		// LIST "" "": the client asks for the hierarchy delimiter and root.
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: store.Delimiter, Mailbox: ""})
	}
	matches := func(name string) bool {
		for _, p := range patterns {
			if matchName(name, ref, p) {
				return true
			}
		}
		return false
	}
	var subscriptions []string // for RECURSIVEMATCH
	if options.SelectRecursiveMatch {
		subscriptions = s.user.Subscriptions()
	}
	for _, e := range s.listEntries() {
		if !matches(e.info.Name) {
			continue
		}
		// RFC 5258 §3.5: with RECURSIVEMATCH a name that matches is also
		// returned, with CHILDINFO ("SUBSCRIBED"), when a subscribed
		// descendant is not returned itself (it does not match).
		childInfo := options.SelectRecursiveMatch && subscribedBelow(e.info.Name, subscriptions, matches)
		if options.SelectSubscribed && !e.info.Subscribed && !childInfo {
			continue
		}
		if options.SelectSpecialUse && e.info.SpecialUse == "" {
			continue
		}
		data := listData(e, options.SelectSubscribed || options.ReturnSubscribed)
		if childInfo {
			data.ChildInfo = &imap.ListDataChildInfo{Subscribed: true}
		}
		if options.ReturnStatus != nil && !e.placeholder {
			if mb, err := s.user.Mailbox(e.info.Name); err == nil {
				data.Status = s.statusData(mb, options.ReturnStatus)
			}
		}
		if err := w.WriteList(data); err != nil {
			return err
		}
	}
	if options.SelectSubscribed {
		return s.listSubscribedGone(w, ref, patterns)
	}
	return nil
}

// subscribedBelow tells whether a subscribed name lies under parent and
// matches none of the patterns.
func subscribedBelow(parent string, subscriptions []string, matches func(string) bool) bool {
	for _, name := range subscriptions {
		if strings.HasPrefix(name, parent+delim) && !matches(name) {
			return true
		}
	}
	return false
}

// listData is the LIST response for one name; subscribed tells whether to
// show \Subscribed (asked for by SUBSCRIBED or RETURN (SUBSCRIBED)).
func listData(e listEntry, subscribed bool) *imap.ListData {
	data := &imap.ListData{Delim: store.Delimiter, Mailbox: e.info.Name}
	if e.placeholder {
		data.Attrs = append(data.Attrs, imap.MailboxAttrNoSelect)
	}
	if e.info.HasChildren {
		data.Attrs = append(data.Attrs, imap.MailboxAttrHasChildren)
	} else {
		data.Attrs = append(data.Attrs, imap.MailboxAttrHasNoChildren)
	}
	if e.info.Subscribed && subscribed {
		data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
	}
	// RFC 6154 lets the server show special-use attributes always;
	// learners should see them without knowing RETURN (SPECIAL-USE).
	if e.info.SpecialUse != "" {
		data.Attrs = append(data.Attrs, imap.MailboxAttr(e.info.SpecialUse))
	}
	return data
}

// selectList is the untagged LIST that an IMAP4rev2 SELECT or EXAMINE
// sends for the mailbox (RFC 9051 §6.3.2), with its attributes as LIST
// shows them.
func (s *session) selectList(name string) *imap.ListData {
	for _, in := range s.user.Mailboxes() {
		if in.Name == name {
			return listData(listEntry{info: in}, false)
		}
	}
	return &imap.ListData{Delim: store.Delimiter, Mailbox: name}
}

// listSubscribedGone adds, to LIST (SUBSCRIBED), the subscribed names whose
// mailbox no longer exists, as \NonExistent \Subscribed (RFC 5258 §3.1).
func (s *session) listSubscribedGone(w *imapserver.ListWriter, ref string, patterns []string) error {
	exists := make(map[string]bool)
	for _, in := range s.user.Mailboxes() {
		exists[in.Name] = true
	}
	for _, name := range s.user.Subscriptions() {
		if exists[name] {
			continue
		}
		matched := false
		for _, p := range patterns {
			matched = matched || matchName(name, ref, p)
		}
		if !matched {
			continue
		}
		data := &imap.ListData{Delim: store.Delimiter, Mailbox: name,
			Attrs: []imap.MailboxAttr{imap.MailboxAttrNonExistent, imap.MailboxAttrSubscribed}}
		if err := w.WriteList(data); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	if *options == (imap.StatusOptions{}) {
		// go-imap takes "STATUS INBOX ()"; the grammar wants at least one
		// item (RFC 9051 §9, "status").
		return nil, &imap.Error{Type: imap.StatusResponseTypeBad, Code: imap.ResponseCodeClientBug,
			Text: "STATUS needs at least one item to report, e.g. STATUS INBOX (MESSAGES UNSEEN)"}
	}
	mb, err := s.user.Mailbox(name)
	if err != nil {
		return nil, storeErr(err)
	}
	return s.statusData(mb, options), nil
}

func (s *session) statusData(mb *store.Mailbox, options *imap.StatusOptions) *imap.StatusData {
	st := mb.Status()
	data := &imap.StatusData{Mailbox: st.Name}
	if options.NumMessages {
		data.NumMessages = &st.Messages
	}
	if options.UIDNext {
		data.UIDNext = imap.UID(st.UIDNext)
	}
	if options.UIDValidity {
		data.UIDValidity = st.UIDValidity
	}
	if options.NumUnseen {
		data.NumUnseen = &st.Unseen
	}
	if options.NumDeleted {
		data.NumDeleted = &st.Deleted
	}
	if options.Size {
		data.Size = &st.Size
	}
	if options.NumRecent {
		// The messages no session has claimed yet, and those this session
		// holds as \Recent if the mailbox is the one it has selected.
		if s.sel != nil && s.sel.mb == mb && !s.sel.readOnly {
			st.Recent += s.sel.recentCount()
		}
		data.NumRecent = &st.Recent
	}
	if options.AppendLimit {
		limit := uint32(100 << 20) // the library's APPEND limit
		data.AppendLimit = &limit
	}
	if options.DeletedStorage {
		var n int64
		for _, m := range mb.Messages() {
			if m.Has(store.Deleted) {
				n += int64(m.Body.Size())
			}
		}
		data.DeletedStorage = &n
	}
	return data
}
