package transcripts

import (
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// What the three handouts (HTML, Markdown, text) share: a glossary that
// says each term once per handout, and a label for each session (role,
// client, server, TLS). Both are worked out from the annotated Lines as
// the exports walk them, so a transcript of any size is exported with
// bounded memory: the glossary holds at most maxGlossary entries (the
// knowledge base is far smaller), a label a few strings.

// maxGlossary bounds the glossary of one handout. Past it, a line's
// explanations are printed with the line instead (never dropped).
const maxGlossary = 2000

// glossEntry is one explained term: the Markdown paragraphs that follow a
// "**TERM**:" opening in a line's Detail.
type glossEntry struct {
	term  string     // "250", "EHLO", "TRYCREATE"
	proto wire.Proto // the protocol whose knowledge it comes from
	body  string     // Markdown, the "**TERM**: " opening removed
	id    string     // the anchor: "g-smtp-250", "g-smtp-250-2" for a second meaning
	title string     // unique within the handout: "250 (SMTP)", "LIST (IMAP, 2)"
}

// glossary collects the terms a handout explains, in order of first use.
type glossary struct {
	byKey  map[string]*glossEntry
	ids    map[string]bool
	titles map[string]int  // how many entries share a "TERM (PROTO)" title
	slugs  map[string]bool // the Markdown anchors of the titles so far
	order  []*glossEntry
}

func newGlossary() *glossary {
	return &glossary{byKey: map[string]*glossEntry{}, ids: map[string]bool{}, titles: map[string]int{}, slugs: map[string]bool{}}
}

// termOpening matches the "**TERM**: " that opens a knowledge-base entry in
// a Detail. "**Class 5 (…):** text" is emphasis inside an entry, not one.
var termOpening = regexp.MustCompile(`^\*\*([^*\n]{1,60})\*\*: `)

// explained is a line's Detail split for a handout: what belongs to this
// line alone (a FETCH response's items, a message's headers), kept with
// the line, and the glossary entries it refers to.
type explained struct {
	own  string // Markdown
	refs []*glossEntry
}

// split cuts a Detail into its own part and glossary entries, adding new
// entries to the glossary (or keeping them with the line once it is full).
func (g *glossary) split(proto wire.Proto, detail string) explained {
	var ex explained
	detail = strings.TrimSpace(strings.ReplaceAll(detail, "\r\n", "\n"))
	if detail == "" {
		return ex
	}
	var own []string
	var cur *strings.Builder
	var curTerm string
	flush := func() {
		if cur == nil {
			return
		}
		body := strings.TrimSpace(cur.String())
		e := g.add(proto, curTerm, body)
		if e == nil {
			own = append(own, "**"+curTerm+"**: "+body)
		} else if !slices.Contains(ex.refs, e) {
			ex.refs = append(ex.refs, e)
		}
		cur = nil
	}
	for _, para := range strings.Split(detail, "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		if m := termOpening.FindStringSubmatch(para); m != nil {
			flush()
			curTerm = m[1]
			cur = &strings.Builder{}
			cur.WriteString(para[len(m[0]):])
			continue
		}
		if cur != nil {
			cur.WriteString("\n\n" + para)
			continue
		}
		own = append(own, para)
	}
	flush()
	ex.own = strings.Join(own, "\n\n")
	return ex
}

// add returns the entry for (proto, term, body), made on first use; nil
// when the glossary is full.
func (g *glossary) add(proto wire.Proto, term, body string) *glossEntry {
	key := string(proto) + "\x00" + term + "\x00" + body
	if e := g.byKey[key]; e != nil {
		return e
	}
	if len(g.order) >= maxGlossary {
		return nil
	}
	p := strings.ToUpper(string(proto))
	base := "g-" + slug(string(proto)+"-"+term)
	id := base
	for n := 2; g.ids[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	g.ids[id] = true
	title := term
	if p != "" {
		title += " (" + p + ")"
	}
	if n := g.titles[title]; n > 0 {
		// The same word means something else here (IMAP's LIST command
		// and its LIST response): number the second meaning.
		title = fmt.Sprintf("%s (%s, %d)", term, p, n+1)
	}
	g.titles[term+" ("+p+")"]++
	// A Markdown reader finds a heading by its slug, which drops
	// punctuation: "BODY[] (IMAP)" and "BODY (IMAP)" would meet.
	for n := 2; g.slugs[mdSlug(title)]; n++ {
		title = fmt.Sprintf("%s (%s, %d)", term, p, n)
	}
	g.slugs[mdSlug(title)] = true
	e := &glossEntry{term: term, proto: proto, body: body, id: id, title: title}
	g.byKey[key] = e
	g.order = append(g.order, e)
	return e
}

// sorted lists the entries alphabetically (a glossary is looked up), the
// order of first use breaking ties.
func (g *glossary) sorted() []*glossEntry {
	out := slices.Clone(g.order)
	slices.SortStableFunc(out, func(a, b *glossEntry) int {
		return strings.Compare(strings.ToLower(a.title), strings.ToLower(b.title))
	})
	return out
}

// slug makes an anchor from s: lower-case letters, digits and dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		out = "x"
	}
	return out
}

// mdSlug is the anchor GitHub and most Markdown renderers give a heading:
// lower case, punctuation dropped, spaces as dashes.
func mdSlug(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sessionLabel says who talked to whom in a session, and how safely.
type sessionLabel struct {
	id     string
	proto  string // "SMTP"
	role   string // "submission: mail programs send here after logging in (port 587's job)"
	client string // "127.0.0.1:40000, calls itself laptop.example.com"
	server string // "mail.example.com, the submission listener"
	tls    string // "STARTTLS, then TLS 1.3, TLS_AES_128_GCM_SHA256"
	hop    bool   // a relay hop: the simulator's own server handing mail on
	lines  int    // how many lines the session has
}

// roleWords says what each listener is for.
var roleWords = map[wire.Role]string{
	wire.RoleMX:          "SMTP relay/MX: other servers deliver mail for local domains here (port 25's job), no login",
	wire.RoleSubmission:  "SMTP submission: mail programs send here after logging in (port 587's job)",
	wire.RoleSubmissions: "SMTP submission over implicit TLS (port 465's job)",
	wire.RolePOP3:        "POP3: a mail program downloads mail (port 110's job)",
	wire.RolePOP3S:       "POP3 over implicit TLS (port 995's job)",
	wire.RoleIMAP:        "IMAP: a mail program works with mail kept on the server (port 143's job)",
	wire.RoleIMAPS:       "IMAP over implicit TLS (port 993's job)",
}

// relayHopPeer is how the simulator names the client of its own relay
// hop (simulator/world.go: "relay hop from mail.example.com").
const relayHopPeer = "relay hop from "

// sessionFacts gathers, in one pass over a session's lines, what its
// label and its diagram need: a transcript on disk is read once for them
// and once more to write the lines.
type sessionFacts struct {
	lines    int
	role     wire.Role
	proto    string
	plain    bool // a line travelled before TLS
	sawTLS   bool
	tlsDesc  string
	tlsFail  string
	helo     string
	greeting string
	rows     rowBuilder // the diagram's rows (its pair of lanes: 0)
	// kept holds the lines read, while they fit in maxKeptBytes, so that
	// writing them does not read (and decode) the file a second time.
	kept      []Line
	keptBytes int
	tooBig    bool
}

// maxKeptBytes bounds the lines of one session kept between reading a
// session for its label and writing it; a longer session is read twice.
const maxKeptBytes = 8 << 20

// readSession reads a session once for its facts.
func readSession(info SessionInfo, lines iter.Seq[Line]) *sessionFacts {
	f := &sessionFacts{role: info.Role, proto: strings.ToUpper(string(info.Proto)), rows: rowBuilder{limit: maxDiagramRows}}
	for l := range lines {
		f.add(l)
		f.rows.add(l)
		if !f.tooBig {
			f.keptBytes += 256 + len(l.Text) + len(l.Raw) + len(l.Note) + len(l.Detail)
			if f.tooBig = f.keptBytes > maxKeptBytes; f.tooBig {
				f.kept = nil
			} else {
				f.kept = append(f.kept, l)
			}
		}
	}
	return f
}

// again walks the session's lines again: from what was kept, or from the
// source when the session was too long to keep.
func (f *sessionFacts) again(source iter.Seq[Line]) iter.Seq[Line] {
	if f.tooBig {
		return source
	}
	return sliceSeq(f.kept)
}

func (f *sessionFacts) add(l Line) {
	f.lines++
	if f.role == "" {
		f.role = l.Role
	}
	if f.proto == "" && l.Proto != "" {
		f.proto = strings.ToUpper(string(l.Proto))
	}
	switch {
	case l.Kind == wire.TLS:
		f.sawTLS = true
		f.tlsDesc = strings.TrimSuffix(strings.TrimPrefix(l.Text, "[TLS: "), "]")
	case l.Kind == wire.TLSFailed:
		f.tlsFail = strings.TrimSuffix(strings.TrimPrefix(l.Text, "["), "]")
	case l.Dir == wire.Meta:
	case !l.Encrypted && !f.sawTLS:
		f.plain = true
	}
	if f.helo == "" && l.Dir == wire.FromClient && (l.Verb == "EHLO" || l.Verb == "HELO" || l.Verb == "LHLO") {
		if fl := strings.Fields(l.Text); len(fl) > 1 {
			f.helo = fl[1]
		}
	}
	if f.greeting == "" && l.Dir == wire.FromServer {
		f.greeting = l.Text
	}
}

// labelSession reads a session's lines once for its label.
func labelSession(info SessionInfo, lines iter.Seq[Line]) sessionLabel {
	return readSession(info, lines).label(info)
}

// label says who talked to whom, and how safely.
func (f *sessionFacts) label(info SessionInfo) sessionLabel {
	lb := sessionLabel{id: string(info.ID), proto: f.proto, lines: f.lines}
	if lb.id == "" {
		lb.id = "(no session)"
	}
	role := f.role
	plain, sawTLS, tlsDesc, tlsFail, helo, greeting := f.plain, f.sawTLS, f.tlsDesc, f.tlsFail, f.helo, f.greeting
	// A session read from a log (annotate --to jsonl) names no listener
	// and no client address: say so rather than guess.
	fromLog := role == ""
	lb.role = "not recorded (a log does not say which listener the session reached)"
	if !fromLog {
		lb.role = string(role)
		if w := roleWords[role]; w != "" {
			lb.role = w
		}
	}
	peer := info.Peer
	if rest, ok := strings.CutPrefix(peer, relayHopPeer); ok {
		lb.hop = true
		lb.client = rest + ", the simulated world's own server handing the message on (a relay hop)"
	} else {
		lb.client = peer
		if lb.client == "" || fromLog {
			lb.client = "not recorded"
		}
		if helo != "" {
			lb.client += ", calls itself " + helo
		}
	}
	lb.server = "the " + string(role) + " listener"
	if role == "" {
		lb.server = "not recorded"
	}
	if host := greetingHost(info.Proto, greeting); host != "" {
		lb.server = host + ", " + lb.server
	}
	switch {
	case tlsFail != "":
		lb.tls = "the TLS handshake failed (" + tlsFail + ")"
	case sawTLS && !plain && (role.ImplicitTLS() || tlsDesc != ""):
		lb.tls = "implicit TLS from the first byte: " + tlsDesc
	case sawTLS:
		lb.tls = "plain text at first, then STARTTLS/STLS: " + tlsDesc
	case role.ImplicitTLS():
		lb.tls = "implicit TLS"
	case fromLog:
		lb.tls = "no TLS handshake in the log (plain text, unless the log leaves TLS out)"
	default:
		lb.tls = "none: plain text, anyone on the path can read every line"
	}
	return lb
}

// greetingHost is the host an SMTP greeting names ("220 mail.example.com
// ESMTP"); POP3 and IMAP greetings name none reliably.
func greetingHost(p wire.Proto, greeting string) string {
	if p != wire.SMTP {
		return ""
	}
	f := strings.Fields(greeting)
	if len(f) < 2 || !strings.HasPrefix(f[0], "220") {
		return ""
	}
	return f[1]
}

// fields is the label as name/value pairs, in the order every export
// prints them.
func (lb sessionLabel) fields() [][2]string {
	return [][2]string{
		{"Role", lb.role},
		{"Client", lb.client},
		{"Server", lb.server},
		{"TLS", lb.tls},
	}
}

// title is the session's heading: "s1 · SMTP submission".
func (lb sessionLabel) title(info SessionInfo) string {
	t := "Session " + lb.id
	if lb.proto != "" {
		t += ": " + lb.proto
	}
	if info.Role != "" {
		t += " (" + string(info.Role) + ")"
	}
	if lb.hop {
		t += ", relay hop"
	}
	if !info.Opened.IsZero() {
		t += ", opened " + info.Opened.Format("2006-01-02 15:04:05")
	}
	return t
}

// plainMarkdown turns the knowledge base's Markdown into plain text for the
// text handout: emphasis and code marks go, the words stay.
func plainMarkdown(md string) string {
	r := strings.NewReplacer("`.`", `"."`, "**", "", "`", "", "*What", "What", ":*", ":")
	return r.Replace(md)
}
