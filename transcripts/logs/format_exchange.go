package logs

import (
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// Microsoft Exchange's SMTP protocol logs (RECVyyyymmdd-n.log and
// SENDyyyymmdd-n.log under TransportRoles\Logs\...\ProtocolLog), the log a
// help desk at an Exchange site is handed. They are CSV, one row per line
// on the wire, after a header that names the columns:
//
//	#Log-type: SMTP Receive Protocol Log
//	#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context
//	2026-11-25T08:00:02.118Z,EX01\Default Frontend EX01,08DE0C1F2A3B4C5D,2,10.0.0.5:25,203.0.113.9:53412,>,"220 EX01.contoso.com Microsoft ESMTP MAIL Service ready",
//
// The event column says what the row is: "+" a connection, "-" its end,
// ">" a line Exchange sent, "<" a line it received, "*" Exchange's own
// remark (permissions, certificates, "receiving message"). So in a Receive
// log, where Exchange is the server, ">" rows are the server's; in a Send
// log, where Exchange delivers onwards, ">" rows are the client's. Rows of
// many sessions interleave; the session-id column keeps them apart. The
// message itself (after 354, or a BDAT chunk) is never logged.
var (
	exchangeLogType = regexp.MustCompile(`^#Log-type: SMTP (Receive|Send) Protocol Log`)
	// exchangeRow is a row in the default column order, to detect the
	// format even when the header lines were not copied.
	exchangeRow = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z,[^,]*,[0-9A-Fa-f]{16},\d+,[^,]*,[^,]*,[-+*<>],`)
)

// exchangeLog is what the Exchange parser keeps between rows.
type exchangeLog struct {
	columns map[string]int // column name -> index, from #Fields
	send    bool           // a Send log: Exchange is the client
	known   bool           // the #Log-type line said which
	// server tells, per session, whether Exchange is its server, when the
	// log type is not known: decided by who sends the 220 greeting.
	server  map[string]bool
	decided map[string]bool
	inData  map[string]bool // the message (after 354 or BDAT) comes next
}

func parseExchange(p *parser, lines lineSeq) {
	p.inferTLS = true
	x := &exchangeLog{server: map[string]bool{}, decided: map[string]bool{}, inData: map[string]bool{}}
	x.setColumns("date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context")
	for i, l := range lines {
		line := i + 1
		switch {
		case strings.TrimSpace(l) == "":
		case strings.HasPrefix(l, "#"):
			if m := exchangeLogType.FindStringSubmatch(l); m != nil {
				x.known, x.send = true, m[1] == "Send"
			}
			if fields, ok := strings.CutPrefix(l, "#Fields: "); ok {
				x.setColumns(fields)
			}
		default:
			x.row(p, l, line)
		}
	}
}

func (x *exchangeLog) setColumns(header string) {
	x.columns = map[string]int{}
	for i, name := range strings.Split(header, ",") {
		x.columns[strings.TrimSpace(name)] = i
	}
}

// col returns a row's value of the named column, "" if it has none.
func (x *exchangeLog) col(rec []string, name string) string {
	if i, ok := x.columns[name]; ok && i < len(rec) {
		return rec[i]
	}
	return ""
}

func (x *exchangeLog) row(p *parser, l string, line int) {
	r := csv.NewReader(strings.NewReader(l))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rec, err := r.Read()
	if err != nil || len(rec) < 7 {
		p.problem(line, l, "not a row of an Exchange protocol log")
		return
	}
	if t, err := time.Parse(time.RFC3339Nano, x.col(rec, "date-time")); err == nil {
		p.stamp(line, l, t)
	}
	id := x.col(rec, "session-id")
	key := "exchange " + id
	local, remote := x.col(rec, "local-endpoint"), x.col(rec, "remote-endpoint")
	data := x.col(rec, "data")
	switch x.col(rec, "event") {
	case "+":
		p.setProto(key, wire.SMTP)
		if x.known && x.send {
			p.setServer(key, remote)
			p.open(key, fmt.Sprintf("Exchange (%s, connector %s) connects to %s", local, x.col(rec, "connector-id"), remote), line)
		} else {
			p.setServer(key, local)
			p.open(key, fmt.Sprintf("connection from %s to Exchange (%s, connector %s)", remote, local, x.col(rec, "connector-id")), line)
		}
	case "-":
		note := "the connection ended"
		if ctx := x.col(rec, "context"); ctx != "" {
			note += " (" + ctx + " side)"
		}
		p.close(key, note, line)
	case ">", "<":
		p.setProto(key, wire.SMTP)
		x.line(p, key, id, rec[x.columns["event"]] == ">", data, line)
	case "*":
		// Exchange describing its own work: permissions, certificates,
		// "receiving message". TLS is read from STARTTLS and its 220.
	default:
		p.problem(line, l, "an Exchange protocol log row with an unknown event")
	}
}

// line records one conversation row; sent tells a ">" row (Exchange sent
// it) from a "<" row.
func (x *exchangeLog) line(p *parser, key, id string, sent bool, data string, line int) {
	if !x.decided[id] {
		x.decided[id] = true
		x.server[id] = !(x.known && x.send)
		if !x.known && strings.HasPrefix(data, "220") {
			x.server[id] = sent // whoever greets with 220 is the server
		}
	}
	dir := wire.FromClient
	if sent == x.server[id] {
		dir = wire.FromServer
	}
	if dir == wire.FromClient && x.inData[id] {
		x.inData[id] = false
		if data == "." {
			return // the end of the message marked left out at the 354
		}
	}
	p.send(key, dir, crlf(data), line)
	upper := strings.ToUpper(data)
	switch {
	case dir == wire.FromServer && strings.HasPrefix(data, "354"):
		x.inData[id] = true
		p.omit(key, wire.FromClient, line) // the message is not logged
	case dir == wire.FromClient && strings.HasPrefix(upper, "BDAT "):
		p.omit(key, wire.FromClient, line) // nor are BDAT chunks
	}
}
