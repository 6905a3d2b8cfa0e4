package logs

import (
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// parseMsmtp reads msmtp's debug output (msmtp -d, or --debug): its
// settings ("host = ...", one per line), then the conversation with "--> "
// before what msmtp sent and "<-- " before what the server sent, message
// body included. A TLS handshake shows as "TLS session parameters:" with
// the protocol and ciphers on the next, indented, line; the certificate
// details that follow are msmtp describing the server, not protocol bytes.
func parseMsmtp(p *parser, lines []string) {
	const key = "msmtp"
	host, port := "", ""
	open := func(line int) {
		server := ""
		if host != "" && port != "" {
			server = host + ":" + port
		}
		p.connect(key, wire.SMTP, server, "msmtp connects", line)
	}
	for i, l := range lines {
		line := i + 1
		switch {
		case strings.HasPrefix(l, "-->"):
			open(line)
			p.send(key, wire.FromClient, crlf(strings.TrimPrefix(l[3:], " ")), line)
		case strings.HasPrefix(l, "<--"):
			open(line)
			p.send(key, wire.FromServer, crlf(strings.TrimPrefix(l[3:], " ")), line)
		case l == "TLS session parameters:":
			open(line)
			params := ""
			if i+1 < len(lines) {
				params = strings.TrimSpace(lines[i+1])
			}
			p.tls(key, msmtpTLSNote(params), line)
		case host == "" && strings.HasPrefix(l, "host = "):
			host = strings.TrimPrefix(l, "host = ")
		case port == "" && strings.HasPrefix(l, "port = "):
			port = strings.TrimPrefix(l, "port = ")
		}
		// Every other line is msmtp talking about itself: its settings,
		// "reading recipients from ...", the server's certificate, and
		// its own complaints ("msmtp: server message: ..."), whose server
		// words are in the "<--" lines already.
	}
}

// msmtpTLSNote turns msmtp's "(TLS1.3)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-128-GCM)"
// into the tap's form, "TLS 1.3, ECDHE-X25519 ECDSA-SECP256R1-SHA256 AES-128-GCM".
func msmtpTLSNote(params string) string {
	parts := strings.Split(strings.Trim(params, "()"), ")-(")
	version, ok := strings.CutPrefix(parts[0], "TLS")
	if len(parts) < 2 || !ok {
		return "TLS (" + params + ")"
	}
	return tlsNote("TLSv"+version, strings.Join(parts[1:], " "))
}
