package logs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// swaks prefixes (swaks 20201014.0, lib "transaction" output):
//
//	" -> " client line        " ~> " client line inside TLS
//	"<-  " server line        "<~  " server line inside TLS
//	"<** " server error       "<~* " server error inside TLS
//	"=== " swaks's own info   "*** " swaks's own errors
var (
	swaksClient    = regexp.MustCompile(`^ ?[-~]>( |$)`)
	swaksServer    = regexp.MustCompile(`^<[-~*][ *]? ?`)
	swaksTrying    = regexp.MustCompile(`^=== Trying (.+?)\.\.\.$`)
	swaksCipher    = regexp.MustCompile(`^=== TLS started with cipher ([^:]+):([^:]+)`)
	swaksSentLines = regexp.MustCompile(`^\d+ lines sent$`)
)

func parseSwaks(p *parser, lines lineSeq) {
	key, n := "", 0
	for i, l := range lines {
		line := i + 1
		switch {
		case strings.TrimSpace(l) == "":
		case strings.HasPrefix(l, "=== "):
			info := l[4:]
			switch {
			case swaksTrying.MatchString(l):
				n++
				key = fmt.Sprintf("swaks#%d", n)
				p.setServer(key, swaksTrying.FindStringSubmatch(l)[1])
			case strings.HasPrefix(info, "Connected to"):
				p.open(key, strings.TrimSuffix(info, "."), line)
			case swaksCipher.MatchString(l):
				m := swaksCipher.FindStringSubmatch(l)
				p.tls(key, tlsNote(m[1], m[2]), line)
			case strings.HasPrefix(info, "Connection closed"):
				p.close(key, strings.TrimSuffix(info, "."), line)
			}
			// Other "===" lines (certificate details, "TLS no local
			// certificate set") are swaks talking about itself.
		case strings.HasPrefix(l, "*** "):
			// swaks's own error messages ("*** Remote host closed
			// connection unexpectedly."): not protocol bytes.
		case swaksClient.MatchString(l):
			text := swaksClient.ReplaceAllString(l, "")
			if swaksSentLines.MatchString(text) {
				// --suppress-data: the body is summarised, not shown.
				p.skip(key, wire.FromClient, line)
				continue
			}
			p.send(key, wire.FromClient, crlf(text), line)
		case swaksServer.MatchString(l):
			p.send(key, wire.FromServer, crlf(swaksServer.ReplaceAllString(l, "")), line)
		default:
			p.problem(line, l, "not a swaks transcript line (no \" -> \", \"<-  \" or \"===\" prefix)")
		}
	}
}

// tlsNote describes a handshake the way the simulator's tap does
// ("TLS 1.3, TLS_AES_256_GCM_SHA384") from a tool's version and cipher names.
func tlsNote(version, cipher string) string {
	v := strings.TrimSpace(version)
	if rest, ok := strings.CutPrefix(v, "TLSv"); ok {
		v = "TLS " + rest
	}
	return v + ", " + strings.TrimSpace(cipher)
}
