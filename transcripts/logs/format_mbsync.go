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

func parseMbsync(p *parser, lines lineSeq) {
	server := "" // from "Connecting to host (addr)..."
	lits := omittedLiterals{}
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
		switch {
		case mbsyncConnect.MatchString(l):
			server = mbsyncConnect.FindStringSubmatch(l)[1]
		case l == "Connection is now encrypted":
			if k := mbsyncFarKey(p); k != "" {
				p.tls(k, "TLS (mbsync does not log the version)", line)
			}
		case mbsyncCommand.MatchString(l):
			p.connect(key, wire.IMAP, server, "mbsync connects", line)
			p.send(key, wire.FromClient, crlf(mbsyncCommand.FindStringSubmatch(l)[1]), line)
		case mbsyncServer.MatchString(l) || lits[key] && strings.HasPrefix(l, ")"):
			p.connect(key, wire.IMAP, server, "mbsync connects", line)
			lits.serverLine(p, key, l, line)
		}
	}
}

// mbsyncFarKey is the connection "Connection is now encrypted" speaks of:
// the only one opened, or the far side's.
func mbsyncFarKey(p *parser) string {
	for _, k := range []string{"mbsync", "mbsync-F", "mbsync-N"} {
		if _, open := p.protos[k]; open {
			return k
		}
	}
	return ""
}
