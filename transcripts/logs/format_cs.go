package logs

import (
	"strconv"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// parseCS reads RFC style transcripts: "C: EHLO x" and "S: 250 ok", the
// prefix followed by one optional space (RFC examples are often indented, so
// leading blanks are ignored). Everything after the prefix is the line as
// sent; "C:" alone is an empty line (the blank line of a DATA body).
func parseCS(p *parser, lines lineSeq) {
	p.inferTLS = true // transcripts show STARTTLS but not the handshake
	var sessions sessionEnds
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
		p.sendLine(sessions.key(p, d, text, i+1), d, text, i+1)
	}
}

// sessionEnds tells where one session of a transcript ends and the next
// begins: a C:/S: log or a raw dialogue may hold many sessions one after
// the other, and once the server has answered QUIT or an IMAP LOGOUT, the
// next line is another connection's. Which reply answers QUIT is the
// protocol model's fact (a pipelining client sends QUIT long before its
// answer comes): the lines go through a wire.Splitter of the protocol the
// first telling line shows.
type sessionEnds struct {
	n     int    // sessions ended so far
	name  string // the key of session n, made once
	ended bool   // the server answered: the next line starts a session
	// split is the model of the session, nil until a line shows its
	// protocol; early holds the lines before that (at most maxEarly).
	split *wire.Splitter
	early []csLine
}

type csLine struct {
	d    wire.Dir
	text string
}

// maxEarly bounds the lines kept while the protocol is unknown.
const maxEarly = 64

// key returns the session key of a line, ending the session before it
// when the line comes after an answered QUIT or LOGOUT.
func (se *sessionEnds) key(p *parser, d wire.Dir, text string, line int) string {
	if se.ended {
		p.close(se.current(), "the session ended (the server answered QUIT or LOGOUT); the log goes on with another", line)
		*se = sessionEnds{n: se.n + 1, name: strconv.Itoa(se.n + 1)}
	}
	key := se.current()
	if se.split == nil {
		se.start(p.forced, text)
	}
	if se.split == nil {
		if len(se.early) < maxEarly {
			se.early = append(se.early, csLine{d, text})
		}
		return key
	}
	for _, l := range se.early {
		se.feed(l.d, l.text)
	}
	se.early = nil
	se.feed(d, text)
	return key
}

// start makes the session's model once a line shows its protocol.
func (se *sessionEnds) start(forced wire.Proto, text string) {
	proto := forced
	if proto == "" {
		score := map[wire.Proto]int{}
		protoScore(text, score)
		for _, pr := range []wire.Proto{wire.SMTP, wire.POP3, wire.IMAP} {
			if score[pr] > 0 {
				proto = pr
			}
		}
	}
	if proto != "" {
		se.split = wire.NewSplitter(proto)
	}
}

// feed runs one line through the model, noting the reply to QUIT or LOGOUT.
func (se *sessionEnds) feed(d wire.Dir, text string) {
	b := []byte(text + "\r\n")
	note := func(pc wire.Piece) {
		if pc.Answers == "QUIT" || pc.Answers == "LOGOUT" {
			se.ended = true
		}
	}
	if d == wire.FromClient {
		se.split.Client(b, note)
	} else {
		se.split.Server(b, note)
	}
}

// current is the key of the session being read: "" for the first, so a
// log of one session reads as before.
func (se *sessionEnds) current() string {
	return se.name
}

// parseArrows reads a raw dialogue: ">" (or ">>") before what the client
// sent and "<" (or "<<") before what the server sent, one optional space
// after the arrows.
func parseArrows(p *parser, lines lineSeq) {
	p.inferTLS = true
	var sessions sessionEnds
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
		p.sendLine(sessions.key(p, d, text, i+1), d, text, i+1)
	}
}
