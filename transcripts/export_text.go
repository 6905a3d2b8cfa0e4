package transcripts

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// WriteText writes the transcript in the style of swaks: " -> " before what
// the client sent, "<-  " before what the server sent (" ~> " and "<~  "
// once the connection is encrypted), "*** " before session events, and each
// note indented below with "   # ". Sessions follow one another, each
// with its label (role, client, server, TLS); the terms the notes use are
// explained once, in a glossary at the end ("   = see: 250 (SMTP)").
func WriteText(w io.Writer, t Handout) error {
	bw := bufio.NewWriter(w)
	var err error // from reading the sessions
	g := newGlossary()
	title, _ := t.Head()
	if title != "" {
		bw.WriteString("=== " + wire.Visible(oneLine(title)) + " ===\n")
	}
	for i, s := range sessionSeq(t, &err) {
		if i > 0 || title != "" {
			bw.WriteString("\n")
		}
		lines := plainSeq(s.lines)
		facts := readSession(s.info, lines)
		lb := facts.label(s.info)
		bw.WriteString("=== session " + wire.Visible(sessionTitle(s.info)) + " ===\n")
		for _, f := range lb.fields() {
			bw.WriteString(fmt.Sprintf("    %-7s %s\n", strings.ToLower(f[0])+":", wire.Visible(f[1])))
		}
		for l := range facts.again(lines) {
			WriteTextLine(bw, l, exportStyle)
			if ex := g.split(l.Proto, l.Detail); len(ex.refs) > 0 {
				bw.WriteString("   = see:")
				for i, r := range ex.refs {
					if i > 0 {
						bw.WriteString(",")
					}
					bw.WriteString(" " + wire.Visible(r.title))
				}
				bw.WriteString("\n")
			}
		}
	}
	bw.WriteString("\n=== glossary: each term once ===\n")
	for _, en := range g.sorted() {
		bw.WriteString("\n" + wire.Visible(en.title) + "\n")
		for _, line := range strings.Split(plainMarkdown(en.body), "\n") {
			if line = wire.Visible(line); line != "" {
				bw.WriteString("    " + line + "\n")
			}
		}
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// exportStyle prints the lines of a text handout.
var exportStyle = TextStyle{Arrows: true, NoteIndent: "   ", RFC: true}

func textPrefix(l Line) string {
	switch {
	case l.Dir == wire.FromClient && l.Encrypted:
		return " ~> "
	case l.Dir == wire.FromClient:
		return " -> "
	case l.Dir == wire.FromServer && l.Encrypted:
		return "<~  "
	case l.Dir == wire.FromServer:
		return "<-  "
	}
	return "*** "
}

// oneLine keeps a note on one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// sessionLines is one session and its lines, for exports.
type sessionLines struct {
	info  SessionInfo
	lines []Line
}

// sessionsOf groups lines by session, in order of first appearance, using
// the transcript's SessionInfo where it has one. Lines without a session
// (a Dropped notice) form a group of their own.
func sessionsOf(t *Transcript) []sessionLines {
	var out []sessionLines
	idx := map[wire.SessionID]int{}
	for _, s := range t.Sessions {
		idx[s.ID] = len(out)
		out = append(out, sessionLines{info: s})
	}
	for _, l := range t.Lines {
		i, ok := idx[l.Session]
		if !ok {
			i = len(out)
			idx[l.Session] = i
			out = append(out, sessionLines{info: SessionInfo{ID: l.Session, Proto: l.Proto, Role: l.Role}})
		}
		fillSession(&out[i].info, l)
		out[i].lines = append(out[i].lines, l)
	}
	// Sessions the header names but no line belongs to are left out.
	kept := out[:0]
	for _, s := range out {
		if len(s.lines) > 0 {
			kept = append(kept, s)
		}
	}
	return kept
}

// sessionTitle is "s1: SMTP (submission) from 127.0.0.1:40000".
func sessionTitle(s SessionInfo) string {
	id := string(s.ID)
	if id == "" {
		id = "(no session)"
	}
	title := id
	if s.Proto != "" {
		title += ": " + strings.ToUpper(string(s.Proto))
	}
	if s.Role != "" {
		title += " (" + string(s.Role) + ")"
	}
	if s.Peer != "" {
		title += " from " + s.Peer
	}
	if !s.Opened.IsZero() {
		title += ", opened " + s.Opened.Format("2006-01-02 15:04:05")
	}
	return title
}
