package transcripts

import (
	"strings"
	"testing"
)

// The ten refusals a help desk meets most, as real servers word them: each
// gets its own one-line diagnosis, decided by the words where the code is
// shared (Postfix's relay refusal and greylisting are both 4.7.1).
func TestDiagnoseCommonRefusals(t *testing.T) {
	for _, c := range []struct {
		reply, name, want string
	}{
		{"454 4.7.1 <x@y.com>: Relay access denied", "relay denied", "port 587"},
		{"550 5.7.1 Unable to relay for bob@example.net", "relay denied", "port 587"},
		{"450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html", "greylisting", "send again after a few minutes"},
		{"451 4.7.1 Please try again later", "greylisting", "retries"},
		{"552 5.2.2 <bob@example.org>: mailbox full", "mailbox full", "delete or archive"},
		{"452 4.2.2 The email account that you tried to reach is over quota", "mailbox full", "delete or archive"},
		{"NO [OVERQUOTA] Quota exceeded (mailbox for user is full)", "mailbox full", "delete or archive"},
		{"550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table", "unknown user", "spelling"},
		{"550 5.1.1 The email account that you tried to reach does not exist", "unknown user", "spelling"},
		{"535 5.7.8 Error: authentication failed: authentication failure", "auth failed", "app password"},
		{"-ERR [AUTH] Authentication failed.", "auth failed", "app password"},
		{"a1 NO [AUTHENTICATIONFAILED] Authentication failed.", "auth failed", "app password"},
		{"530 5.7.0 Must issue a STARTTLS command first", "TLS required", "STARTTLS on port 587"},
		{"a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "TLS required", "implicit TLS"},
		{"554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org", "blocklist", "delisting"},
		{"550 5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.", "SPF/DMARC fail", "SPF record"},
		{"550 5.7.1 Email rejected per DMARC policy for example.com", "SPF/DMARC fail", "DKIM"},
		{"550 5.7.23 The message was rejected because of Sender Policy Framework violation", "SPF/DMARC fail", "SPF record"},
		{"552 5.3.4 Error: message file too big", "message too big", "as a link"},
		{"552 5.3.4 Message size exceeds fixed maximum message size", "message too big", "as a link"},
		{"421 4.7.0 mx.example.com Error: too many connections from 192.0.2.7", "too many connections", "parallel connections"},
		{"-ERR [IN-USE] Unable to lock maildrop", "mailbox in use", "other devices"},
		{"a7 NO [TRYCREATE] Mailbox doesn't exist: Archive", "folder missing", "create the folder"},
		// Codes alone, when the words say nothing: the most specific code decides.
		{"552 5.3.4", "message too big", "as a link"},
		{"550 5.1.1", "unknown user", "spelling"},
		{"-ERR [IN-USE]", "mailbox in use", "other devices"},
		{"NO [TRYCREATE]", "folder missing", "create the folder"},
	} {
		line, name := Diagnose(c.reply)
		if name != c.name || !strings.HasPrefix(line, "Likely cause: ") || !strings.Contains(line, c.want) || strings.Contains(line, "\n") {
			t.Errorf("Diagnose(%q) = %q (%s), want the %s diagnosis saying %q", c.reply, line, name, c.name, c.want)
		}
	}
}

// The words decide before the code: 4.7.1 with "Relay access denied" is a
// relay refusal (log in on 587), not greylisting (wait).
func TestDiagnoseWordsBeforeCodes(t *testing.T) {
	line, _ := Diagnose("454 4.7.1 <x@y.com>: Relay access denied")
	if !strings.Contains(line, "port 587") || strings.Contains(strings.ToLower(line), "greylist") {
		t.Errorf("relay refusal diagnosed as %q", line)
	}
	// Without words, a code's class still says whether to retry.
	if line, _ := Diagnose("451 4.3.0"); !strings.Contains(line, "temporary") {
		t.Errorf("451 4.3.0: %q", line)
	}
	if line, _ := Diagnose("-ERR"); !strings.Contains(line, "POP3") {
		t.Errorf("-ERR: %q", line)
	}
	// A command is no refusal.
	if line, _ := Diagnose("UIDL"); line != "" {
		t.Errorf("UIDL diagnosed: %q", line)
	}
}
