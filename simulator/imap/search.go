package imap

import (
	"bytes"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/charset"

	"github.com/mailtutor/mailtutor/simulator/store"
)

// Search serves SEARCH and UID SEARCH; the library writes SEARCH or ESEARCH.
func (s *session) Search(kind imapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	if criteria.ModSeq != nil {
		return nil, &imap.Error{Type: imap.StatusResponseTypeBad, Text: "MODSEQ needs CONDSTORE, which this server does not offer"}
	}
	v := s.snapshot()
	var (
		data   imap.SearchData
		seqSet imap.SeqSet
		uidSet imap.UIDSet
	)
	for i, m := range v.msgs {
		seq := v.clientSeq[i]
		if seq == 0 || !s.matches(v, m, seq, criteria) {
			continue
		}
		uidSet.AddNum(imap.UID(m.UID))
		num := seq
		if kind == imapserver.NumKindUID {
			num = m.UID
		} else {
			seqSet.AddNum(seq)
		}
		if data.Min == 0 || num < data.Min {
			data.Min = num
		}
		if num > data.Max {
			data.Max = num
		}
		data.Count++
	}
	if kind == imapserver.NumKindUID {
		data.All = uidSet
	} else {
		data.All = seqSet
	}
	if options.ReturnSave {
		s.sel.saved = uidSet
	}
	return &data, nil
}

func (s *session) matches(v view, m store.Message, seq uint32, c *imap.SearchCriteria) bool {
	for _, set := range c.SeqNum {
		set = staticSeqSet(set, v.maxSeq)
		if !set.Contains(seq) {
			return false
		}
	}
	for _, set := range c.UID {
		if imap.IsSearchRes(set) {
			set = s.sel.saved
		}
		var maxUID imap.UID
		if n := len(v.msgs); n > 0 {
			maxUID = imap.UID(v.msgs[n-1].UID)
		}
		if !staticUIDSet(set, maxUID).Contains(imap.UID(m.UID)) {
			return false
		}
	}
	// Dates compare by day only, ignoring time and zone (RFC 3501 §6.4.4).
	internal := day(m.InternalDate)
	if !c.Since.IsZero() && internal.Before(day(c.Since)) {
		return false
	}
	if !c.Before.IsZero() && !internal.Before(day(c.Before)) {
		return false
	}
	if !c.SentSince.IsZero() || !c.SentBefore.IsZero() {
		sent := s.srv.parsed(m.Body).sent
		if sent.IsZero() {
			sent = m.InternalDate // no usable Date: header: as Dovecot does
		}
		sent = day(sent)
		if !c.SentSince.IsZero() && sent.Before(day(c.SentSince)) {
			return false
		}
		if !c.SentBefore.IsZero() && !sent.Before(day(c.SentBefore)) {
			return false
		}
	}
	for _, f := range c.Flag {
		if !s.hasFlag(m, f) {
			return false
		}
	}
	for _, f := range c.NotFlag {
		if s.hasFlag(m, f) {
			return false
		}
	}
	if c.Larger > 0 && int64(m.Body.Size()) <= c.Larger {
		return false
	}
	if c.Smaller > 0 && int64(m.Body.Size()) >= c.Smaller {
		return false
	}
	if len(c.Header) > 0 {
		pm := s.srv.parsed(m.Body)
		for _, hf := range c.Header {
			if !headerContains(pm, hf.Key, hf.Value) {
				return false
			}
		}
	}
	for _, text := range c.Body {
		if !containsFold(m.Body.Text(), text) {
			return false
		}
	}
	for _, text := range c.Text {
		if !containsFold(m.Body.Raw, text) && !containsFold([]byte(decodeWords(string(m.Body.Header()))), text) {
			return false
		}
	}
	for i := range c.Not {
		if s.matches(v, m, seq, &c.Not[i]) {
			return false
		}
	}
	for i := range c.Or {
		if !s.matches(v, m, seq, &c.Or[i][0]) && !s.matches(v, m, seq, &c.Or[i][1]) {
			return false
		}
	}
	return true
}

func (s *session) hasFlag(m store.Message, f imap.Flag) bool {
	if strings.EqualFold(string(f), store.Recent) {
		return s.sel.recent[m.UID]
	}
	return m.Has(string(f))
}

func day(t time.Time) time.Time {
	y, mo, d := t.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// headerContains matches a header search key: the field exists and its value
// (raw, or with encoded words decoded) contains the text, case-insensitively.
// An empty text matches any message with the field (RFC 3501 §6.4.4).
// Address fields are also matched as their addresses read once parsed
// (addressText), as Dovecot matches them: the raw field of
// `"Bob Builder" <bob@example.org>` does not contain
// "Bob Builder <bob@example.org>", and `<bob (desk)@ example.org>` does
// not contain "bob@example.org".
func headerContains(pm *parsedMessage, key, text string) bool {
	address := isAddressField(key)
	for f := pm.root.header.FieldsByKey(key); f.Next(); {
		raw := strings.ReplaceAll(f.Value(), "\r\n", "")
		if text == "" || containsFold([]byte(raw), text) || containsFold([]byte(decodeWords(raw)), text) {
			return true
		}
		if address && containsFold([]byte(addressText(raw)), text) {
			return true
		}
	}
	return false
}

func isAddressField(key string) bool {
	for _, k := range []string{"From", "To", "Cc", "Bcc", "Sender", "Reply-To"} {
		if strings.EqualFold(key, k) {
			return true
		}
	}
	return false
}

// addressText writes an address field the way it reads once parsed:
// display names with encoded words decoded and quotes and comments gone,
// each address as "Name <mailbox@domain>" or "mailbox@domain", groups as
// "name: member, member;" (RFC 5322 §3.4).
func addressText(value string) string {
	var b strings.Builder
	comma := false // an address or group came before: the next one needs ", "
	for _, a := range addressList(value) {
		if a.Host == "" && a.Mailbox == "" { // a group ends
			b.WriteString(";")
			comma = true
			continue
		}
		if comma {
			b.WriteString(", ")
		}
		if a.Host == "" { // a group starts; its first member needs no comma
			b.WriteString(decodeWords(a.Mailbox) + ": ")
			comma = false
			continue
		}
		comma = true
		spec := a.Mailbox
		if a.Host != "MISSING_DOMAIN" {
			spec += "@" + a.Host
		}
		if a.Name != "" {
			b.WriteString(decodeWords(a.Name) + " <" + spec + ">")
		} else {
			b.WriteString(spec)
		}
	}
	return b.String()
}

// decodeWords decodes RFC 2047 encoded words, in any charset go-message
// knows (the standard library alone knows UTF-8, ISO-8859-1 and US-ASCII).
func decodeWords(s string) string {
	dec := mime.WordDecoder{CharsetReader: charset.Reader}
	if d, err := dec.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

func containsFold(haystack []byte, needle string) bool {
	if needle == "" {
		return true
	}
	return bytes.Contains(bytes.ToLower(haystack), bytes.ToLower([]byte(needle)))
}
