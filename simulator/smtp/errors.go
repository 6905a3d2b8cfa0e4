package smtp

import (
	"fmt"

	gosmtp "github.com/emersion/go-smtp"
)

// The replies this package gives, as protocol values. Texts follow what
// real servers say (Postfix wording where it is well known) plus a short
// reason, because the learner reads every one. Codes: RFC 5321 §4.2; the
// enhanced codes: RFC 3463 and its registry.

func smtpErr(code int, enhanced gosmtp.EnhancedCode, format string, args ...any) *gosmtp.SMTPError {
	return &gosmtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: fmt.Sprintf(format, args...)}
}

// errAuthRequired: submission (RFC 6409 §4.3) takes mail only from logged-in users.
var errAuthRequired = smtpErr(530, gosmtp.EnhancedCode{5, 7, 0},
	"Authentication required: log in with AUTH before MAIL on the submission port")

// errNestedMail: MAIL while a transaction is open. RFC 5321 §4.1.4 says
// MAIL "MUST NOT be sent if a mail transaction is already open"; a bad
// sequence is 503 (§4.3.2), as Postfix answers. go-smtp would take the new
// sender and keep the recipients already given.
var errNestedMail = smtpErr(503, gosmtp.EnhancedCode{5, 5, 1},
	"Error: nested MAIL command: finish this message with DATA, or abandon it with RSET, before a new MAIL FROM")

// errMustStartTLS: AUTH before STARTTLS on the plaintext submission port;
// the password must travel encrypted (RFC 3207 §4, RFC 4954 §4, RFC 8314).
var errMustStartTLS = smtpErr(530, gosmtp.EnhancedCode{5, 7, 0}, "Must issue a STARTTLS command first")

// errAuthFailed: wrong login or password (RFC 4954 §6).
var errAuthFailed = smtpErr(535, gosmtp.EnhancedCode{5, 7, 8}, "Authentication credentials invalid")

// errNoAuthHere: the MX port takes mail from anyone for its own domains and
// offers no AUTH (Postfix answers the same way on port 25).
var errNoAuthHere = smtpErr(503, gosmtp.EnhancedCode{5, 5, 1},
	"Error: authentication not enabled on this port (MX); log in on the submission port (RFC 6409)")

// errUnknownMechanism: AUTH with a mechanism this server does not offer
// (RFC 4954 §4 and §6: 504 5.5.4; go-smtp's own answer says 5.7.4).
var errUnknownMechanism = smtpErr(504, gosmtp.EnhancedCode{5, 5, 4},
	"Unrecognized authentication type: this server offers PLAIN and LOGIN")

// errPasswordLoginDisabled: the right password, on an account that takes
// no password logins any more. Exchange Online answers 535 5.7.139 where
// Microsoft has retired basic authentication (or SMTP AUTH is off for the
// mailbox); the mail program must sign in with OAuth 2.0 instead.
var errPasswordLoginDisabled = smtpErr(535, gosmtp.EnhancedCode{5, 7, 139},
	"Authentication unsuccessful, basic authentication is disabled for this account: sign in with OAuth 2.0 (XOAUTH2 or OAUTHBEARER)")

// errAuthSyntax: a SASL response that is not what the mechanism expects.
func errAuthSyntax(why string) *gosmtp.SMTPError {
	return smtpErr(501, gosmtp.EnhancedCode{5, 5, 2}, "Malformed authentication response: %s", why)
}

func errRelayDenied(rcpt string) *gosmtp.SMTPError {
	return smtpErr(554, gosmtp.EnhancedCode{5, 7, 1},
		"<%s>: Relay access denied (this server only accepts mail for its own domains)", rcpt)
}

func errRelayFaultDenied(rcpt string) *gosmtp.SMTPError {
	return smtpErr(554, gosmtp.EnhancedCode{5, 7, 1},
		"<%s>: Relay access denied (relaying to other domains is switched off here, even after AUTH)", rcpt)
}

func errNoQueue(rcpt string) *gosmtp.SMTPError {
	return smtpErr(554, gosmtp.EnhancedCode{5, 7, 1},
		"<%s>: Relay access denied (this world has no way out to other domains)", rcpt)
}

func errUnknownUser(rcpt string) *gosmtp.SMTPError {
	return smtpErr(550, gosmtp.EnhancedCode{5, 1, 1},
		"<%s>: Recipient address rejected: User unknown in local recipient table", rcpt)
}

// errMailboxFull: the recipient's mailbox is over its quota (the
// mailbox-full fault, or the store's MailboxQuotaBytes). RFC 3463 X.2.2 is
// "a persistent transient failure": the recipient can delete messages to
// make room, so the sender's server keeps the message and tries again
// (RFC 5321 §4.2.5: 452 "insufficient system storage" at RCPT).
func errMailboxFull(rcpt string) *gosmtp.SMTPError {
	return smtpErr(452, gosmtp.EnhancedCode{4, 2, 2},
		"<%s>: Recipient address rejected: Mailbox full (over quota), try again later", rcpt)
}

// errTooBigForMailbox: the message is larger than the recipient's whole
// quota, so no clean-up could make it fit (RFC 3463 X.3.4, permanent).
func errTooBigForMailbox(rcpt string, size, quota int64) *gosmtp.SMTPError {
	return smtpErr(552, gosmtp.EnhancedCode{5, 3, 4},
		"<%s>: Message too big for this mailbox: %d octets, the mailbox quota is %d", rcpt, size, quota)
}

// errWorldFull: the simulated world holds as much mail as it may (the
// simulator's WorldBytes cap, which keeps its memory bounded): RFC 3463
// X.3.1 "mail system full", transient (RFC 5321 §4.2.5).
var errWorldFull = smtpErr(452, gosmtp.EnhancedCode{4, 3, 1},
	"Insufficient system storage: the mail world is full, try again later")

func errGreylisted(rcpt string) *gosmtp.SMTPError {
	return smtpErr(451, gosmtp.EnhancedCode{4, 7, 1},
		"<%s>: Recipient address rejected: Greylisted, try again later (RFC 6647)", rcpt)
}

// errSenderNotOwned: after AUTH a user may not claim another user's address
// (Postfix reject_known_sender_login_mismatch).
func errSenderNotOwned(from, login string) *gosmtp.SMTPError {
	return smtpErr(553, gosmtp.EnhancedCode{5, 7, 1},
		"<%s>: Sender address rejected: not owned by user %s", from, login)
}

func errBadSender(why string) *gosmtp.SMTPError {
	return smtpErr(553, gosmtp.EnhancedCode{5, 1, 7}, "Bad sender address syntax: %s", why)
}

func errBadRecipient(why string) *gosmtp.SMTPError {
	return smtpErr(553, gosmtp.EnhancedCode{5, 1, 3}, "Bad recipient address syntax: %s", why)
}

// errNeedSMTPUTF8: a non-ASCII address needs MAIL FROM:<...> SMTPUTF8 (RFC 6531 §3.5).
func errNeedSMTPUTF8(addr string) *gosmtp.SMTPError {
	return smtpErr(553, gosmtp.EnhancedCode{5, 6, 7},
		"<%s>: Non-ASCII address needs the SMTPUTF8 parameter on MAIL FROM (RFC 6531)", addr)
}

func errBadHelo(why string) *gosmtp.SMTPError {
	return smtpErr(501, gosmtp.EnhancedCode{5, 5, 2}, "Invalid HELO/EHLO name: %s", why)
}

// errLineTooLong: a line of the message over MaxLineLength.
func errLineTooLong(limit int) *gosmtp.SMTPError {
	return smtpErr(500, gosmtp.EnhancedCode{5, 5, 2},
		"Line too long: the limit is %d octets (RFC 5321 §4.5.3.1.6 allows 1000), message refused", limit)
}

// errRelayHop: the next hop in the world refused or failed; nothing was
// delivered, so the client may try again (4xx) or must give up (5xx).
func errRelayHop(err error) *gosmtp.SMTPError {
	if se, ok := err.(*gosmtp.SMTPError); ok {
		return smtpErr(se.Code, se.EnhancedCode, "Next hop refused the message: %s", se.Message)
	}
	return smtpErr(451, gosmtp.EnhancedCode{4, 4, 1}, "Next hop unreachable, try again later: %v", err)
}

// errChunkCut: the connection ended inside a BDAT chunk, so the message is
// shorter than the client declared (RFC 3030 §2: a chunk is exactly its size).
var errChunkCut = smtpErr(451, gosmtp.EnhancedCode{4, 4, 2},
	"Connection ended inside a BDAT chunk: the message was cut short and not delivered")

// errClosing: the server is shutting down (RFC 5321 §3.8).
var errClosing = smtpErr(421, gosmtp.EnhancedCode{4, 3, 2}, "Service shutting down, closing transmission channel")

func errStore(err error) *gosmtp.SMTPError {
	return smtpErr(451, gosmtp.EnhancedCode{4, 3, 0}, "Local delivery failed, try again later: %v", err)
}

// errPolicyReject: the policy-reject fault, a content filter's verdict
// (RFC 3463 X.7.1, permanent).
var errPolicyReject = smtpErr(550, gosmtp.EnhancedCode{5, 7, 1},
	"Message rejected as spam by the content filter (policy)")

// errTooBigFault: the too-big fault, a size limit lower than the message
// (RFC 3463 X.3.4, permanent).
var errTooBigFault = smtpErr(552, gosmtp.EnhancedCode{5, 3, 4},
	"Message size exceeds fixed maximum message size")
