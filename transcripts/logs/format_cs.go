package logs

import (
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// parseCS reads RFC style transcripts: "C: EHLO x" and "S: 250 ok", the
// prefix followed by one optional space (RFC examples are often indented, so
// leading blanks are ignored). Everything after the prefix is the line as
// sent; "C:" alone is an empty line (the blank line of a DATA body).
func parseCS(p *parser, lines lineSeq) {
	p.inferTLS = true // transcripts show STARTTLS but not the handshake
	p.splitOnEnd = true
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		if t == "" {
			continue
		}
		if len(t) < 2 || t[1] != ':' {
			p.problem(i+1, l, `not a "C:" or "S:" line`)
			continue
		}
		var d wire.Dir
		switch t[0] {
		case 'C', 'c':
			d = wire.FromClient
		case 'S', 's':
			d = wire.FromServer
		default:
			p.problem(i+1, l, `not a "C:" or "S:" line`)
			continue
		}
		text := strings.TrimPrefix(t[2:], " ")
		p.sendLine("", d, text, i+1)
	}
}

// parseArrows reads a raw dialogue: ">" (or ">>") before what the client
// sent and "<" (or "<<") before what the server sent, one optional space
// after the arrows.
func parseArrows(p *parser, lines lineSeq) {
	p.inferTLS = true
	p.splitOnEnd = true
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		if t == "" {
			continue
		}
		var d wire.Dir
		switch t[0] {
		case '>':
			d = wire.FromClient
		case '<':
			d = wire.FromServer
		default:
			p.problem(i+1, l, `not a ">" (client) or "<" (server) line`)
			continue
		}
		arrow := t[0]
		t = t[1:]
		if t != "" && t[0] == arrow { // ">>" / "<<"
			t = t[1:]
		}
		text := strings.TrimPrefix(t, " ")
		p.sendLine("", d, text, i+1)
	}
}
