package transcripts

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts/kb"
)

// AnnotateOptions says how an Annotator presents what it explains.
type AnnotateOptions struct {
	// RevealSecrets shows credentials (passwords, AUTH responses) in Text, Raw
	// and notes instead of "********": a teacher showing why TLS matters.
	// Lines still remember their masked form for saving.
	RevealSecrets bool
	// Knowledge supplies general explanations (Detail) and RFC references;
	// nil means package kb.
	Knowledge Knowledge
	// Cache, when set, is shared by every annotator made with it (they must
	// run on one goroutine): a log of thousands of short sessions looks the
	// same codes up once, not once per session. nil: the annotator keeps
	// its own.
	Cache *Cache
}

// Cache holds knowledge-base answers for annotators that run on one
// goroutine. Not safe for concurrent use.
type Cache struct{ kb *kbCache }

// NewCache returns an empty cache for AnnotateOptions.Cache.
func NewCache() *Cache { return &Cache{kb: newKBCache()} }

// Annotator explains one session's lines in context: the annotator of
// the session's protocol (SMTPAnnotator, POP3Annotator, IMAPAnnotator).
// One per session; not safe for concurrent use.
type Annotator interface {
	// Annotate explains one event of the session, updating the
	// annotator's view of the protocol state. Any bytes are accepted:
	// nonsense gets a note saying so, never a panic.
	Annotate(e wire.Event) Line
}

// protocol is one of the protocols' annotators (SMTPAnnotator,
// POP3Annotator, IMAPAnnotator), as the shared flow of base.annotate sees
// it. Their lines, payloads and TLS notes are reached through explain,
// with calls on the concrete types: a *Line handed to an interface method
// would escape to the heap, one allocation per line.
type protocol interface {
	state() string
}

// explainLine, explainPayload and explainTLS hand the line to its
// protocol's annotator.
func (a *base) explainLine(p protocol, l *Line, e wire.Event) {
	switch p := p.(type) {
	case *SMTPAnnotator:
		p.smtpLine(l, e)
	case *POP3Annotator:
		p.popLine(l, e)
	case *IMAPAnnotator:
		p.imapLine(l, e)
	}
}

func (a *base) explainPayload(p protocol, l *Line, e wire.Event) {
	switch p := p.(type) {
	case *SMTPAnnotator:
		p.smtpPayload(l, e)
	case *POP3Annotator:
		p.popPayload(l, e)
	case *IMAPAnnotator:
		p.imapPayload(l, e)
	}
}

func (a *base) explainTLS(p protocol, l *Line) {
	switch p := p.(type) {
	case *SMTPAnnotator:
		p.startTLS(l)
	case *POP3Annotator:
		p.startTLS(l)
	case *IMAPAnnotator:
		p.startTLS(l)
	}
}

// base is what every protocol's annotator shares: options, the knowledge
// base and the scratch space of the line being annotated.
type base struct {
	proto wire.Proto
	opts  AnnotateOptions
	know  Knowledge

	// Per-call scratch, reset by annotate.
	lookups  []lookup // knowledge entries whose explanation joins Detail
	revealed []string // secrets shown in this line's note, to mask for saving
	esc      []byte   // buffer for escaping display text
	cache    *kbCache // knowledge-base answers, shared with the recorder's other annotators
	// text is the current line without its line ending, as a string, when
	// it equals the display text (nothing masked or escaped); "" otherwise.
	text string
	// encrypted is the current event's Encrypted: whether a credential on
	// this line travelled inside TLS.
	encrypted bool
	// cut tells, per direction (FromClient, FromServer), that the last
	// line came without its line ending: a line over wire.MaxLine arrives
	// as several events, and those after the first continue it.
	cut [2]bool
}

// awaiting is what an SMTP or POP3 annotator remembers of the commands
// sent and not yet answered, for the explanation of their replies. It
// never decides which command a reply answers: the protocol model does
// (wire.Event's Answers), and take is asked for that verb, so a reply
// cannot be given another verb's details.
type awaiting[C any] struct {
	cmds []awaited[C] // oldest first; a pipeline is a few commands
	last string       // the verb of the last command sent
}

type awaited[C any] struct {
	verb string
	cmd  C
}

// add remembers a command the model says the client started, under its
// verb as the model's Answers will name it.
func (w *awaiting[C]) add(verb string, c C) {
	w.last = verb
	if len(w.cmds) < 1000 { // bounded: a client that never reads cannot grow it forever
		w.cmds = append(w.cmds, awaited[C]{verb, c})
	}
}

// take returns and forgets the oldest command with verb; ok is false when
// none was seen.
func (w *awaiting[C]) take(verb string) (c C, ok bool) {
	for i := range w.cmds {
		if w.cmds[i].verb == verb {
			c = w.cmds[i].cmd
			w.cmds = append(w.cmds[:i], w.cmds[i+1:]...)
			return c, true
		}
	}
	return c, false
}

// has tells whether a command with verb awaits its reply.
func (w *awaiting[C]) has(verb string) bool {
	for i := range w.cmds {
		if w.cmds[i].verb == verb {
			return true
		}
	}
	return false
}

// reset forgets every command (TLS starts: RFC 3207 §4.2).
func (w *awaiting[C]) reset() { w.cmds = w.cmds[:0] }

// lookup names one knowledge-base entry.
type lookup struct {
	kind kb.Kind
	key  string
}

func newBase(proto wire.Proto, opts AnnotateOptions) base {
	b := base{proto: proto, opts: opts, know: opts.Knowledge}
	if opts.Cache != nil {
		b.cache = opts.Cache.kb
	} else {
		b.cache = newKBCache()
	}
	if b.know == nil {
		b.know = kbKnowledge{}
	}
	return b
}

// NewAnnotator returns the annotator for one session speaking proto (an
// unknown protocol gets the SMTP one, as the log readers assume).
func NewAnnotator(proto wire.Proto, opts AnnotateOptions) Annotator {
	switch proto {
	case wire.POP3:
		return NewPOP3Annotator(opts)
	case wire.IMAP:
		return NewIMAPAnnotator(opts)
	}
	a := NewSMTPAnnotator(opts)
	a.proto = proto
	return a
}

// InternalErrorNote starts the note of a line the annotator failed on (a
// bug in this tutor, never the learner's doing). The fuzz tests hold the
// annotators to never producing it.
const InternalErrorNote = "mailtutor could not explain this line (a bug in the tutor, please report it): "

// annotate is the flow every protocol shares: the line's fields and
// text, the protocol's explanation (p), the knowledge base's, masking.
func (a *base) annotate(e wire.Event, p protocol) (l Line) {
	// serve's printer and the TUI annotate in the same process as the mail
	// servers: a bug here must cost one line's explanation, not every
	// session.
	defer func() {
		if r := recover(); r != nil {
			l.Note = InternalErrorNote + fmt.Sprint(r)
			l.Level = Error
			if l.Text == "" {
				l.Text = strconv.QuoteToASCII(string(e.Data))
			}
		}
	}()
	a.lookups = a.lookups[:0]
	a.revealed = a.revealed[:0]
	a.encrypted = e.Encrypted
	a.text = ""
	l = Line{
		Seq:       e.Seq,
		Session:   e.Session,
		Proto:     e.Proto,
		Role:      e.Role,
		Dir:       e.Dir,
		Kind:      e.Kind,
		Time:      e.Time,
		Encrypted: e.Encrypted,
		Answers:   e.Answers,
		OK:        e.OK,
	}
	if l.Proto == "" {
		l.Proto = a.proto
	}
	switch e.Kind {
	case wire.Line:
		a.setText(&l, e)
		if a.continuesCutLine(&l, e) {
			if ce, ok := p.(cutReplyEnder); ok && e.Answers != "" {
				ce.cutReplyEnd(e) // the model says this piece completes a reply
			}
			break
		}
		a.explainLine(p, &l, e)
	case wire.Payload:
		l.Raw = a.raw(e)
		l.Secret = !e.Secret.Empty()
		a.explainPayload(p, &l, e)
	default:
		a.meta(&l, e, p)
	}
	a.finish(&l, e)
	return l
}

// cutReplyEnder is a protocol annotator told that the last piece of a
// line too long to be one event completes a reply (the model's Answers):
// the command it answers is done, though the protocol annotator saw only
// the line's first piece.
type cutReplyEnder interface {
	cutReplyEnd(e wire.Event)
}

// continuesCutLine explains an event that is more of a line too long to
// be one event, and reports whether it was one. The protocol annotators
// see only the line's first piece: it names the command, and one reply
// answers the whole line.
func (a *base) continuesCutLine(l *Line, e wire.Event) bool {
	if e.Dir != wire.FromClient && e.Dir != wire.FromServer {
		return false
	}
	cut := a.cut[e.Dir]
	a.cut[e.Dir] = lineEnding(e.Data) == ""
	if !cut {
		return false
	}
	l.Note = "more of the same line: it is over 64 KiB, so it is shown in pieces"
	if !a.cut[e.Dir] {
		l.Note += "; this piece ends it"
	}
	l.Level = Warning
	return true
}

// suppressedByLog reports Thunderbird's stand-in for a line it kept out of
// its log ("[Logging suppressed for this command (it probably contained
// authentication information)]"): not what went on the wire.
func suppressedByLog(text string) bool {
	return strings.HasPrefix(text, "[Logging suppressed")
}

// suppressedNote explains a line suppressedByLog.
const suppressedNote = "the credentials went here; the mail program left them out of its log, as it should"

// raw returns the event's bytes, masked unless secrets are revealed.
func (a *base) raw(e wire.Event) []byte {
	if a.opts.RevealSecrets {
		return e.Data
	}
	return e.Masked()
}

// setText fills Raw, Text and Secret of a Line event.
func (a *base) setText(l *Line, e wire.Event) {
	l.Raw = a.raw(e)
	l.Secret = !e.Secret.Empty()
	raw := wire.TrimEOL(l.Raw)
	l.Text = a.display(raw)
	if !l.Secret && len(l.Text) == len(raw) {
		// Nothing was masked or escaped: the protocol code can read the
		// line from Text instead of converting the bytes again.
		a.text = l.Text
	}
}

// lineText is the event's line without its ending, as a string.
func (a *base) lineText(e wire.Event) string {
	if a.text != "" {
		return a.text
	}
	return string(wire.TrimEOL(e.Data))
}

// finish adds the knowledge base's explanations, marks lines nobody could
// explain, and keeps a masked copy when a secret was shown.
func (a *base) finish(l *Line, e wire.Event) {
	// The annotator's own Detail quotes wire bytes (headers of a message):
	// keep it printable whatever arrived. The knowledge base's pieces were
	// made safe when cached.
	l.Detail = a.safe(l.Detail, true)
	var pieces [8]string
	n, size := 0, len(l.Detail)
	for _, lk := range a.lookups {
		p := a.piece(lk)
		if !p.found {
			continue
		}
		if l.RFC == "" {
			l.RFC = p.rfc
		}
		if l.Note == "" {
			l.Note = p.summary
		}
		if p.detail != "" && n < len(pieces) {
			pieces[n] = p.detail
			n++
			size += len(p.detail) + 2
		}
	}
	switch {
	case n == 1 && l.Detail == "":
		l.Detail = pieces[0] // shared, not copied: strings are immutable
	case n > 0:
		var b strings.Builder
		b.Grow(size)
		b.WriteString(l.Detail)
		for _, p := range pieces[:n] {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(p)
		}
		l.Detail = b.String()
	}
	if l.Note == "" {
		l.Unknown = true
		l.Note = genericNote(l)
	}
	// Notes quote wire bytes; keep them printable whatever arrived.
	l.Note = a.safe(l.Note, false)
	if len(a.revealed) > 0 || (a.opts.RevealSecrets && l.Secret) {
		m := *l
		m.Raw = e.Masked()
		if l.Kind == wire.Line {
			m.Text = a.display(wire.TrimEOL(m.Raw))
		} else if l.Secret {
			m.Text = strings.ReplaceAll(m.Text, string(e.Data), "********")
		}
		for _, s := range a.revealed {
			m.Note = strings.ReplaceAll(m.Note, s, "********")
			m.Detail = strings.ReplaceAll(m.Detail, s, "********")
			m.Text = strings.ReplaceAll(m.Text, s, "********")
		}
		l.masked = &m
	}
}

// safe escapes what a terminal would obey in an annotation (wire.Visible);
// Detail keeps its line breaks.
func (a *base) safe(s string, keepNewlines bool) string {
	if keepNewlines {
		return wire.VisibleLines(s)
	}
	return wire.Visible(s)
}

// want asks finish to add a knowledge-base entry's explanation.
func (a *base) want(kind kb.Kind, key string) {
	if key != "" && len(a.lookups) < 8 {
		a.lookups = append(a.lookups, lookup{kind, key})
	}
}

// hide returns s, or "********" unless secrets are revealed. A revealed
// secret is remembered so the saved form can still mask it.
func (a *base) hide(s string) string {
	if !a.opts.RevealSecrets {
		return "********"
	}
	if s != "" {
		a.revealed = append(a.revealed, s)
	}
	return s
}

// genericNote is the fallback when no knowledge matched.
func genericNote(l *Line) string {
	switch l.Dir {
	case wire.FromClient:
		return "the client sent a line this tutor does not recognise"
	case wire.FromServer:
		return "the server sent a line this tutor does not recognise"
	}
	return "session event"
}

// meta explains Open, Close, TLS, TLSFailed, Dropped and Discarded events.
func (a *base) meta(l *Line, e wire.Event, p protocol) {
	detail := a.display(e.Data)
	switch e.Kind {
	case wire.Open:
		l.Text = "[connected: " + detail + "]"
		l.Note = "new connection to the " + string(e.Role) + " listener (" + roleMeaning(e.Role) + ")"
		if e.Role == "" {
			// An imported log names no listener, and it may have been
			// started while the connection was already open.
			l.Note = "this connection's lines in the log start here (" + detail + ")"
		}
		if e.Role.ImplicitTLS() {
			l.Note += "; TLS starts with the first byte"
		}
		l.State = p.state()
	case wire.Close:
		l.Text = "[closed: " + detail + "]"
		l.Note = "the connection ended (" + detail + ")"
		l.State = "closed"
	case wire.TLS:
		l.Text = "[TLS: " + detail + "]"
		l.Note = "TLS handshake complete (" + detail + "): from here on the connection is encrypted; " +
			"an eavesdropper sees only the server's address, " + tlsVisible(detail) + " and the sizes and timing of the records, " +
			"not commands, passwords or messages"
		l.Level = Success
		l.RFC = "RFC 8446"
		a.explainTLS(p, l)
		l.State = p.state()
	case wire.TLSFailed:
		l.Text = "[TLS failed: " + detail + "]"
		l.Note = "the TLS handshake failed (" + detail + "): nothing more can be exchanged safely. " +
			"Often the client does not trust the simulator's self-signed certificate"
		l.Level = Error
		l.RFC = "RFC 8446"
	case wire.Dropped:
		l.Text = "[" + formatInt(e.N) + " events missed]"
		l.Note = "this viewer fell behind and missed " + formatInt(e.N) + " events: the transcript has a gap here"
		l.Level = Warning
	case wire.Discarded:
		l.Text = "[" + formatInt(e.N) + " bytes discarded]"
		l.Note = "the relay refused to forward " + formatInt(e.N) + " bytes the client sent right after asking for TLS: " +
			"commands slipped in before the handshake could be answered inside the encrypted channel, " +
			"a known command-injection attack, so they are thrown away"
		l.RFC = "RFC 3207 §4.2"
		l.Level = Warning
	default:
		l.Text = "[" + e.Kind.String() + "]"
		l.Note = "session event " + e.Kind.String()
	}
}

// roleMeaning says what a listener role is for.
func roleMeaning(r wire.Role) string {
	switch r {
	case wire.RoleMX:
		return "SMTP relay/MX: receives mail for its own domains from other servers, no login"
	case wire.RoleSubmission:
		return "SMTP submission: mail programs send here after logging in"
	case wire.RoleSubmissions:
		return "SMTP submission over implicit TLS"
	case wire.RolePOP3:
		return "POP3: download mail"
	case wire.RolePOP3S:
		return "POP3 over implicit TLS"
	case wire.RoleIMAP:
		return "IMAP: work with mail kept on the server"
	case wire.RoleIMAPS:
		return "IMAP over implicit TLS"
	}
	return "unknown role"
}

// payloadGeneric summarises a payload a protocol does not expect.
func (a *base) payloadGeneric(l *Line, e wire.Event) {
	l.Text = "[" + formatInt(len(e.Data)) + " bytes of data]"
	l.Note = "a block of raw bytes carried inside the protocol"
}

// lineEnding tells how a line ended: "CRLF", "LF" (bare, a mistake) or ""
// (cut: the connection closed mid-line, or the line was too long).
func lineEnding(b []byte) string {
	n := len(b)
	switch {
	case n >= 2 && b[n-2] == '\r' && b[n-1] == '\n':
		return "CRLF"
	case n >= 1 && b[n-1] == '\n':
		return "LF"
	}
	return ""
}

// show is display for a string: one that needs no escaping comes back
// as it is, without a copy.
func (a *base) show(s string) string { return wire.Visible(s) }

// display makes bytes safe to show (wire.Visible): printable ASCII and
// valid UTF-8 as is, controls, bidi controls and invalid bytes escaped
// ("\r", "\t", "\x1b", "\u202e"). The escaping reuses one buffer.
func (a *base) display(b []byte) string {
	if wire.VisibleBytes(b) {
		return string(b)
	}
	a.esc = wire.AppendVisible(a.esc[:0], b)
	return string(a.esc)
}

// formatInt writes n with thousands separators: 2048 → "2,048".
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if len(s) <= 3 {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	first := len(s) % 3
	if first > 0 {
		b.WriteString(s[:first])
	}
	for i := first; i < len(s); i += 3 {
		if b.Len() > 0 && !(neg && b.Len() == 1) {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// plural returns "1 line" / "2 lines".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return formatInt(n) + " " + word + "s"
}

// tlsVisible says what of the handshake an eavesdropper reads, by the TLS
// version in detail ("TLS 1.3, TLS_AES_128_GCM_SHA256"): TLS 1.3 encrypts
// everything after the ServerHello, the certificate included (RFC 8446
// §2); up to TLS 1.2 the certificate crosses in clear. The server name the
// client asks for (SNI) is in clear in both.
func tlsVisible(detail string) string {
	if strings.HasPrefix(detail, "TLS 1.3") {
		return "the server name the client asked for (SNI; with TLS 1.3 the certificate itself travels encrypted, RFC 8446 §2)"
	}
	if strings.HasPrefix(detail, "TLS 1.") || strings.HasPrefix(detail, "SSL") {
		return "the server name the client asked for (SNI), the server's certificate (sent in clear before TLS 1.3)"
	}
	return "the server name the client asked for (SNI), with TLS 1.2 or older also the certificate (TLS 1.3 encrypts it, RFC 8446 §2)"
}

// thirdPerson is a verb's "he/she/it" form for a note: "copy" gives
// "copies", "move" "moves", "fetch" "fetches".
func thirdPerson(verb string) string {
	n := len(verb)
	switch {
	case n > 1 && verb[n-1] == 'y' && !strings.ContainsRune("aeiou", rune(verb[n-2])):
		return verb[:n-1] + "ies"
	case strings.HasSuffix(verb, "s") || strings.HasSuffix(verb, "x") || strings.HasSuffix(verb, "z") ||
		strings.HasSuffix(verb, "ch") || strings.HasSuffix(verb, "sh"):
		return verb + "es"
	}
	return verb + "s"
}

// cutWord splits off the first space-separated word.
func cutWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " ")
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i+1:], " ")
}

// decodeBase64 decodes a SASL message; ok is false when it is not base64.
func decodeBase64(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "=" || s == "" {
		return "", true // an empty response
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// printable quotes a decoded string for a note, escaping control bytes.
func (a *base) printable(s string) string {
	return "\"" + a.show(s) + "\""
}

// saslPlain explains a decoded PLAIN response (authzid NUL user NUL password, RFC 4616).
func (a *base) saslPlain(decoded string) (note string, user string) {
	parts := strings.Split(decoded, "\x00")
	if len(parts) != 3 {
		return "not a valid PLAIN response: it must be authorization-id NUL user NUL password (RFC 4616 §2)", ""
	}
	user = parts[1]
	note = "user " + a.show(user) + ", password " + a.hide(parts[2])
	if parts[0] != "" && parts[0] != user {
		note += ", acting as " + a.show(parts[0])
	}
	note += a.base64Exposure()
	return note, user
}

// base64Exposure says who can read a base64-encoded credential: anyone on
// the path, unless the line travelled inside TLS.
func (a *base) base64Exposure() string {
	if a.encrypted {
		return " (base64-encoded, inside TLS: only the server can read it)"
	}
	return " (only base64-encoded, not encrypted: anyone who sees this line can decode it)"
}

// messageSummary describes an RFC 5322 message: its main headers, body size
// and lines. dotted counts dot-stuffed lines (SMTP DATA and POP3 RETR only).
type messageSummary struct {
	headers   []header // the headers a learner cares about, in order
	nHeaders  int      // every header field
	bodyBytes int
	lines     int
	dotted    int // lines starting with ".." (a doubled dot)
}

type header struct{ name, value string }

// interesting lists headers worth naming in a note.
func interestingHeader(name string) bool {
	switch strings.ToLower(name) {
	case "from", "to", "cc", "subject", "date", "message-id", "reply-to", "content-type", "mime-version", "received", "return-path", "in-reply-to":
		return true
	}
	return false
}

// summarise reads a message without allocating per line.
func summarise(data []byte, dotStuffed bool) messageSummary {
	var m messageSummary
	inHeader := true
	for len(data) > 0 {
		var line []byte
		line, data = wire.CutLine(data)
		m.lines++
		text := wire.TrimEOL(line)
		if dotStuffed && len(text) >= 2 && text[0] == '.' && text[1] == '.' {
			m.dotted++
		}
		if !inHeader {
			m.bodyBytes += len(line)
			continue
		}
		if len(text) == 0 {
			inHeader = false
			continue
		}
		if text[0] == ' ' || text[0] == '\t' {
			// A folded continuation of the previous header.
			if n := len(m.headers); n > 0 && len(m.headers[n-1].value) < 200 {
				m.headers[n-1].value += " " + string(bytes.TrimSpace(text))
			}
			continue
		}
		colon := bytes.IndexByte(text, ':')
		if colon <= 0 {
			// Not a header: the message has no header section; all body.
			inHeader = false
			m.bodyBytes += len(line)
			continue
		}
		m.nHeaders++
		name := string(text[:colon])
		if interestingHeader(name) && len(m.headers) < 32 {
			v := bytes.TrimSpace(text[colon+1:])
			if len(v) > 200 {
				v = v[:200]
			}
			m.headers = append(m.headers, header{name, string(v)})
		}
	}
	return m
}

func (m messageSummary) get(name string) string {
	for _, h := range m.headers {
		if strings.EqualFold(h.name, name) {
			return h.value
		}
	}
	return ""
}

// describe is a one-line account of the message: "from X to Y, subject "Z"".
func (a *base) describe(m messageSummary) string {
	var parts []string
	if v := m.get("From"); v != "" {
		parts = append(parts, "from "+a.show(v))
	}
	if v := m.get("To"); v != "" {
		parts = append(parts, "to "+a.show(v))
	}
	if v := m.get("Subject"); v != "" {
		parts = append(parts, "subject \""+a.show(v)+"\"")
	}
	if m.nHeaders == 0 {
		return "no header section (a real message starts with headers such as From:, To:, Subject:, Date:)"
	}
	var names []string
	for _, h := range m.headers {
		names = append(names, h.name)
	}
	s := strings.Join(parts, ", ")
	if s != "" {
		s += "; "
	}
	s += plural(m.nHeaders, "header")
	if len(names) > 0 && len(names) < m.nHeaders {
		s += " (among them " + strings.Join(names, ", ") + ")"
	} else if len(names) > 0 {
		s += " (" + strings.Join(names, ", ") + ")"
	}
	s += ", body " + plural(m.bodyBytes, "byte")
	return s
}

// headerDetail lists the headers in Markdown.
func (a *base) headerDetail(m messageSummary) string {
	if len(m.headers) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Headers of the message:\n\n")
	for _, h := range m.headers {
		b.WriteString("- `" + mdCode(a.show(h.name)) + ":` " + mdCode(a.show(h.value)) + "\n")
	}
	b.WriteString("\nThe headers are what the reader's mail program shows; the envelope (MAIL FROM / RCPT TO) is what servers route by, and the two may differ.")
	return b.String()
}

// mdCode keeps a value from breaking a Markdown code span.
func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }
