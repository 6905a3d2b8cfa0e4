package logs

import (
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// mbsync (isync) debug output, "mbsync -Dn" (network only) or "-D" (all,
// each line of a store prefixed "F: " for the far side, "N: " for the
// near one):
//
//	>>> 3 SELECT "INBOX"                 a command ("(2 in progress) >>> ..." when pipelined)
//	* 3 EXISTS / 3 OK SELECT completed   the server's lines, unprefixed
//	* 1 FETCH (UID 1 BODY[] {355}        a literal mbsync does not print: ")" follows at once
//	Connection is now encrypted          after STARTTLS
//
// Everything else is mbsync talking about itself ("Opening far side box
// INBOX...", "F: [ 9] Callback enter fetch_msg").
var (
	mbsyncPrefix  = regexp.MustCompile(`^(?:\(\d+ in progress\) )?(?:([FN]): )?(?:\(\d+ in progress\) )?`)
	mbsyncCommand = regexp.MustCompile(`^>>> (.*)$`)
	mbsyncServer  = regexp.MustCompile(`^(?:\* |\+ |\+$|\d+ (?:OK|NO|BAD)\b)`)
	mbsyncConnect = regexp.MustCompile(`^Connecting to \S+ \(([^)]+)\)\.\.\.`)
)

func parseMbsync(p *parser, lines []string) {
	server := "" // from "Connecting to host (addr)..."
	opened := map[string]bool{}
	literal := map[string]bool{} // the side's last server line announced a literal the log leaves out
	for i, l := range lines {
		line := i + 1
		key := "mbsync"
		// "(2 in progress)" marks a pipelined command; -D puts the side
		// ("F: ", "N: ") before or after it.
		if m := mbsyncPrefix.FindStringSubmatch(l); m[0] != "" {
			if m[1] != "" {
				key = "mbsync-" + m[1]
			}
			l = l[len(m[0]):]
		}
		open := func() {
			if !opened[key] {
				opened[key] = true
				p.setProto(key, wire.IMAP)
				note := "mbsync connects"
				if server != "" {
					p.setServer(key, server)
					note += " to " + server
				}
				p.open(key, note, line)
			}
		}
		switch {
		case mbsyncConnect.MatchString(l):
			server = mbsyncConnect.FindStringSubmatch(l)[1]
		case l == "Connection is now encrypted":
			if k := mbsyncLastKey(opened); k != "" {
				p.tls(k, "TLS (mbsync does not log the version)", line)
			}
		case mbsyncCommand.MatchString(l):
			open()
			p.send(key, wire.FromClient, crlf(mbsyncCommand.FindStringSubmatch(l)[1]), line)
		case mbsyncServer.MatchString(l) || literal[key] && strings.HasPrefix(l, ")"):
			open()
			if literal[key] {
				p.skip(key, wire.FromServer, line) // the literal's bytes are not in the log
			}
			p.send(key, wire.FromServer, crlf(l), line)
			_, _, literal[key] = wire.LiteralSize(l)
		}
	}
}

// mbsyncLastKey is the connection "Connection is now encrypted" speaks of:
// the only one opened, or the far side's.
func mbsyncLastKey(opened map[string]bool) string {
	for _, k := range []string{"mbsync", "mbsync-F", "mbsync-N"} {
		if opened[k] {
			return k
		}
	}
	return ""
}
