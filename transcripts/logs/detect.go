package logs

import (
	"regexp"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// DetectBytes is how much of a log Detect looks at.
const DetectBytes = 16 << 10

// signature is one telltale line shape of a format and how much it weighs.
// Shapes unique to a tool (swaks's "=== Trying") weigh more than shapes
// several tools share ("> " starts a client line in curl and in arrows).
type signature struct {
	format Format
	re     *regexp.Regexp
	weight int
}

// signatures are checked against every line of the sample. Formats are
// listed so that on a tie the simpler reading wins (plain arrows before curl).
var signatures = []signature{
	{FormatCS, regexp.MustCompile(`^\s*[CScs]:( |$)`), 2},
	{FormatArrows, regexp.MustCompile(`^\s*(>>?|<<?)( |$)`), 1},
	{FormatSwaks, regexp.MustCompile(`^=== (Trying|Connected to|TLS started|Connection closed)`), 5},
	{FormatSwaks, regexp.MustCompile(`^ ?[-~]> |^<[-~]  |^<[~*]?\*+ `), 1},
	{FormatCurl, regexp.MustCompile(`^\*\s+Trying |^\* Connected to |^[{}] \[\d+ bytes data\]|^\* (SSL connection using|TLSv|ALPN|Connection #\d|Closing connection)|% Total +% Received`), 5},
	{FormatCurl, regexp.MustCompile(`^[<>] `), 1},
	{FormatOpenSSL, regexp.MustCompile(`^(CONNECTED\(|depth=\d|-----BEGIN CERTIFICATE|Certificate chain|SSL handshake has read|New, (TLS|SSL)|SSL-Session:|Verify return code|Server certificate$)`), 5},
	{FormatSmtplib, regexp.MustCompile(`^(\d\d:\d\d:\d\d\.\d+ )?(send|reply|data|connect): `), 3},
	{FormatImaplib, regexp.MustCompile(`^\s+\d\d:\d\d\.\d\d [<>] b['"]`), 3},
	{FormatImaplib, regexp.MustCompile(`^\s+\d\d:\d\d\.\d\d (imaplib version|new IMAP4 connection)`), 5},
	{FormatPoplib, regexp.MustCompile(`^\*(cmd|put|get|resp|stat)\* `), 3},
	{FormatMsmtp, regexp.MustCompile(`^(-->|<--)( |$)`), 2},
	{FormatFetchmail, regexp.MustCompile(`^fetchmail: (POP3|IMAP|SMTP|ESMTP|LMTP)[<>]`), 5},
	{FormatExchange, exchangeLogType, 10},
	{FormatDSN, dsnPart, 10},
	{FormatExim, regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?( [+-]\d{4})? (\[\d+\] )?[0-9A-Za-z]{6}-[0-9A-Za-z]{4,11}-[0-9A-Za-z]{2,4} (<=|=>|->|\*\*|==|Completed|Frozen)`), 5},
	{FormatDSN, regexp.MustCompile(`^(Final-Recipient|Diagnostic-Code|Reporting-MTA|Remote-MTA): `), 3},
	{FormatDovecot, regexp.MustCompile(`(?:^|\s)(imap|pop3|submission)(-login)?(\([^)]*\))?(<\d+>)?(<[^>]*>)?: (Info|Warning|Error): `), 4},
	{FormatDovecot, regexp.MustCompile(`dovecot: (imap|pop3)(-login)?(\([^)]*\))?(<\d+>)?(<[^>]*>)?: `), 4},
	{FormatExchange, regexp.MustCompile(`^#Software: Microsoft Exchange Server`), 5},
	{FormatExchange, exchangeRow, 5},
	{FormatPostfix, regexp.MustCompile(`\S/(smtpd|smtp|lmtp|local|virtual|qmgr|cleanup)\[\d+\]: (NOQUEUE: reject: |warning: \S+\[[^\]]*\]: SASL |[0-9A-Za-z]+: (to=<|from=<|client=|message-id=))`), 3},
	{FormatPostfix, regexp.MustCompile(`\S/(smtpd|smtp|lmtp)\[\d+\]: ([<>] \S+\[[^\]]*\]|(dis)?connect from )`), 5},
	{FormatMbsync, regexp.MustCompile(`^([FN]: )?(\(\d+ in progress\) )?>>> \d+ `), 3},
	{FormatMbsync, regexp.MustCompile(`^(Opening (far|near) side (store|box) |Connection is now encrypted$|Maildir notice: |[FN]: \[ *\d+\] )`), 5},
	{FormatMsmtp, regexp.MustCompile(`^(loaded (user|system) configuration file |ignoring (user|system) configuration file |using account |reading recipients from |TLS session parameters:$)`), 5},
	{FormatThunderbird, regexp.MustCompile(`\b[VDIWE]/(IMAP|SMTP|POP3|mailnews\.(smtp|pop3|imap)) `), 4},
	{FormatThunderbird, regexp.MustCompile(`^console\.\w+: (pop3|smtp)\.\S+: "`), 4},
	{FormatThunderbird, regexp.MustCompile(`^-?\d+\[[0-9a-fA-F]+\]: (SMTP (Connecting to|Send|Response|entering state)|[0-9a-fA-F]+:[^:]+:[^:]*:(SendData|CreateNewLineFromSocket):|ReadNextLine \[|(SendData|RECV): )`), 4},
}

// Detect guesses a log's format and protocol from its beginning (the first
// DetectBytes of sample are read). It returns FormatUnknown when no line
// looks like any supported tool's output; the protocol is then a guess from
// the bare lines, SMTP when nothing hints at another.
func Detect(sample []byte) (Format, wire.Proto) {
	if len(sample) > DetectBytes {
		sample = sample[:DetectBytes]
	}
	lines := splitLines(sample)
	score := map[Format]int{}
	for _, l := range lines {
		for _, s := range signatures {
			if s.re.MatchString(l) {
				score[s.format] += s.weight
			}
		}
	}
	best, bestScore := FormatUnknown, 0
	for _, f := range Formats() {
		if score[f] > bestScore {
			best, bestScore = f, score[f]
		}
	}
	if best == FormatUnknown {
		proto, _ := guessProto(lines)
		return best, proto
	}
	return best, detectProto(best, lines)
}

// detectProto reads the sample with the format's parser and guesses the
// protocol of its first session.
func detectProto(f Format, lines []string) wire.Proto {
	res := &Result{}
	p := &parser{format: f}
	b := newBuilder(p, "", collect(res))
	parseWith(p, f, sliceLines(lines))
	b.finish()
	sortResult(res)
	if len(res.Sessions) == 0 {
		proto, _ := guessProto(lines)
		return proto
	}
	return res.Sessions[0].Proto
}
