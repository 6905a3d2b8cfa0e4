package pop3

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/mailtutor/mailtutor/simulator/internal/linedot"
	"github.com/mailtutor/mailtutor/simulator/store"
)

// The TRANSACTION state (RFC 1939 §5): the maildrop is locked and its
// messages are numbered 1..n for the whole session; DELE only marks.

// totals counts the messages not marked deleted and their size in octets.
func (s *session) totals() (count, size int) {
	marked := s.markedSet()
	for _, m := range s.md.Messages() {
		if !marked[m.UID] {
			count++
			size += m.Body.Size()
		}
	}
	return count, size
}

func (s *session) markedSet() map[uint32]bool {
	set := make(map[uint32]bool)
	for _, uid := range s.md.MarkedDeleted() {
		set[uid] = true
	}
	return set
}

// message parses a message-number argument and returns that message, or the
// -ERR explaining why it cannot be used.
func (s *session) message(arg string) (int, store.Message, *Error) {
	total := len(s.md.Messages())
	n, err := parseNumber(arg)
	if err != nil {
		return 0, store.Message{}, errText(fmt.Sprintf("invalid message number %q: %s", printable(arg), validRange(total)))
	}
	m, ok := s.md.Message(n)
	if !ok {
		return 0, store.Message{}, errText(fmt.Sprintf("no such message: %d (%s)", n, validRange(total)))
	}
	if s.md.IsDeleted(n) {
		return 0, store.Message{}, errText(fmt.Sprintf("message %d already deleted", n))
	}
	return n, m, nil
}

// validRange tells the learner which message numbers exist.
func validRange(total int) string {
	if total == 0 {
		return "the maildrop is empty"
	}
	return fmt.Sprintf("want a number from 1 to %d", total)
}

// parseNumber accepts only plain decimal digits (no sign, no spaces).
func parseNumber(arg string) (int, error) {
	if arg == "" || strings.TrimLeft(arg, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.Atoi(arg)
}

// oneArg checks that a command got exactly one argument.
func oneArg(verb, args string) (string, *Error) {
	arg := strings.TrimSpace(args)
	if arg == "" || strings.IndexFunc(arg, unicode.IsSpace) >= 0 {
		return "", errText(verb + " needs one argument, the message number: " + verb + " 1")
	}
	return arg, nil
}

func (s *session) cmdSTAT(args string) (*Error, error) {
	if strings.TrimSpace(args) != "" {
		return errText("STAT takes no argument"), nil
	}
	count, size := s.totals()
	s.reply(fmt.Sprintf("+OK %d %d", count, size))
	return nil, nil
}

// cmdLIST gives sizes: of one message ("LIST 2", one line) or of all of them
// (a multi-line listing; messages marked deleted are left out).
func (s *session) cmdLIST(args string) (*Error, error) {
	return s.listing("LIST", args, func(m store.Message) string { return strconv.Itoa(m.Body.Size()) })
}

// cmdUIDL gives unique ids that stay the same across sessions (RFC 1939 §7):
// UIDVALIDITY.UID of the INBOX, the pair IMAP uses for the same purpose.
func (s *session) cmdUIDL(args string) (*Error, error) {
	validity := s.inbox.UIDValidity()
	return s.listing("UIDL", args, func(m store.Message) string { return uniqueID(validity, m.UID) })
}

// uniqueID is a message's UIDL: digits and a dot, within RFC 1939's 0x21-0x7E.
func uniqueID(uidValidity, uid uint32) string {
	return fmt.Sprintf("%d.%d", uidValidity, uid)
}

// listing is LIST and UIDL: "+OK n value" for one message, else a
// multi-line "n value" list of every message not marked deleted.
func (s *session) listing(verb, args string, value func(store.Message) string) (*Error, error) {
	words := strings.Fields(args)
	switch len(words) {
	case 0:
		count, size := s.totals()
		marked := s.markedSet()
		if verb == "LIST" {
			s.reply(fmt.Sprintf("+OK %d message%s (%d octets)", count, plural(count), size))
		} else {
			s.reply(fmt.Sprintf("+OK unique-id listing follows (%d message%s)", count, plural(count)))
		}
		for i, m := range s.md.Messages() {
			if !marked[m.UID] {
				s.reply(strconv.Itoa(i+1) + " " + value(m))
			}
		}
		s.reply(".")
		return nil, nil
	case 1:
		n, m, perr := s.message(words[0])
		if perr != nil {
			return perr, nil
		}
		s.reply("+OK " + strconv.Itoa(n) + " " + value(m))
		return nil, nil
	}
	return errText(verb + " takes at most one argument, a message number"), nil
}

// cmdRETR sends a whole message and marks it \Seen in the store, as Dovecot
// does by default, so IMAP clients see it read.
func (s *session) cmdRETR(args string) (*Error, error) {
	arg, perr := oneArg("RETR", args)
	if perr != nil {
		return perr, nil
	}
	_, m, perr := s.message(arg)
	if perr != nil {
		return perr, nil
	}
	s.reply("+OK " + strconv.Itoa(m.Body.Size()) + " octets")
	if m.Body.DotLines() {
		s.writeMultiline(m.Body.Raw)
	} else {
		s.writeUnstuffed(m.Body.Raw) // nothing to dot-stuff: no need to look
	}
	// Every RETR sets it, even a repeated one: an IMAP client may have
	// cleared \Seen in between. The store announces only real changes.
	s.inbox.AddFlag(m.UID, store.Seen, s)
	return nil, nil
}

// cmdTOP sends the header, the blank line and the first lines of the body
// ("TOP 1 0": the header alone). Unlike RETR it does not mark the message
// \Seen: it is how clients peek.
func (s *session) cmdTOP(args string) (*Error, error) {
	words := strings.Fields(args)
	if len(words) != 2 {
		return errText("TOP needs two arguments: TOP message lines (TOP 1 0 for the header only)"), nil
	}
	_, m, perr := s.message(words[0])
	if perr != nil {
		return perr, nil
	}
	lines, err := parseNumber(words[1])
	if err != nil {
		return errText(fmt.Sprintf("invalid line count %q: want a number, 0 or more", printable(words[1]))), nil
	}
	raw := m.Body.Raw
	end := m.Body.HeaderLen
	for ; lines > 0 && end < len(raw); lines-- {
		i := bytes.IndexByte(raw[end:], '\n')
		if i < 0 {
			end = len(raw)
			break
		}
		end += i + 1
	}
	s.reply("+OK top of message follows")
	s.writeMultiline(raw[:end])
	return nil, nil
}

// writeMultiline writes data as a multi-line response body (RFC 1939 §3):
// every line that starts with "." gets another "." in front, the data ends
// with CRLF, and a line holding a single "." ends the response. The data is
// written in large chunks between the lines that need stuffing.
func (s *session) writeMultiline(data []byte) {
	if len(data) > 0 && data[0] == '.' {
		s.w.WriteByte('.')
	}
	rest := data
	for {
		i := linedot.Index(rest)
		if i < 0 {
			s.w.Write(rest)
			break
		}
		s.w.Write(rest[:i+1])
		s.w.WriteByte('.')
		rest = rest[i+1:]
	}
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\r\n")) {
		s.w.WriteString("\r\n")
	}
	s.w.WriteString(".\r\n")
}

// writeUnstuffed is writeMultiline for data with no line that starts with
// a dot (store.Body.DotLines).
func (s *session) writeUnstuffed(data []byte) {
	s.w.Write(data)
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\r\n")) {
		s.w.WriteString("\r\n")
	}
	s.w.WriteString(".\r\n")
}

func (s *session) cmdDELE(args string) (*Error, error) {
	arg, perr := oneArg("DELE", args)
	if perr != nil {
		return perr, nil
	}
	n, _, perr := s.message(arg)
	if perr != nil {
		return perr, nil
	}
	if err := s.md.MarkDeleted(n); err != nil {
		return errText(fmt.Sprintf("cannot delete message %d: %v", n, err)), nil
	}
	s.reply(fmt.Sprintf("+OK message %d deleted (removed at QUIT; RSET undoes it)", n))
	return nil, nil
}

func (s *session) cmdRSET(args string) (*Error, error) {
	if strings.TrimSpace(args) != "" {
		return errText("RSET takes no argument"), nil
	}
	s.md.Reset()
	count, size := s.totals()
	s.reply(fmt.Sprintf("+OK maildrop has %d message%s (%d octets)", count, plural(count), size))
	return nil, nil
}

func (s *session) cmdNOOP(args string) (*Error, error) {
	if strings.TrimSpace(args) != "" {
		return errText("NOOP takes no argument"), nil
	}
	s.reply("+OK")
	return nil, nil
}
