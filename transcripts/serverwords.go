package transcripts

import (
	"slices"
	"strings"
)

// What real servers say when they refuse, and what it means for the person
// reading the log. Reply codes and response codes are too coarse for a help
// desk: Postfix refuses a relay with "454 4.7.1", the code greylisting uses
// as well, and Microsoft 365's "535 5.7.139" is a switched-off feature, not
// a wrong password. The words after the code tell them apart, and these are
// the words that fill help-desk tickets, from Postfix, Exim, Exchange,
// Microsoft 365, Gmail and the blocklists. The first entry that matches
// wins, so the specific ones come before the general ones.

// serverSaying is one thing servers say, and what it means.
type serverSaying struct {
	// words are lower-case pieces of reply text; any one of them matches.
	words []string
	// means is the explanation, a clause that follows "the server's words
	// mean: ".
	means string
	// sameAs lists enhanced status codes whose own explanation already
	// says as much: with one of them the words add nothing.
	sameAs []string
}

// loginSayings are about logging in or about limits, which POP3 and IMAP
// servers say too.
var loginSayings = []serverSaying{
	{words: []string{"basic authentication is disabled", "basicauthblocked", "basic auth is disabled"},
		means: "the provider has switched off password logins (basic authentication) for this protocol; the program must log in with OAuth 2.0 (modern authentication), and the password itself may be right"},
	{words: []string{"application-specific password", "app password"},
		means: "with 2-Step Verification on (Gmail, Outlook.com, iCloud), a mail program logs in with an app password generated in the account's security settings, or with OAuth, not with the account's own password"},
	{words: []string{"username and password not accepted", "invalid credentials (failure)"},
		means: "the provider refused the user name or password; Gmail and Outlook.com say this too when the account's own password is used where an app password or OAuth is required"},
	{words: []string{"web login required", "log in via your web browser", "please log in via your web"},
		means: "the provider wants the user to sign in once on its website (a security check) before a mail program may log in again"},
	{words: []string{"receiving mail at a rate", "rate limit", "rate that prevents", "too many connections", "too many messages", "too many recipients", "too many errors"},
		means: "a limit was reached (messages, recipients or connections in a short time): send less at once, and retry later"},
}

// sendingSayings are about sending mail, read in SMTP replies only ("does
// not exist" in an IMAP NO is about a folder, not an address).
var sendingSayings = []serverSaying{
	{words: []string{"smtpclientauthentication is disabled", "5.7.139"},
		means: "Microsoft 365 has SMTP AUTH (logging in to send mail) switched off for this organisation or mailbox; an administrator can turn it on for the mailbox, or the program must log in with OAuth (modern authentication). The password itself may be right"},
	{words: []string{"5.7.57", "client not authenticated to send mail"},
		means: "Microsoft 365 accepts mail from a program only after it logs in: use smtp.office365.com, port 587, STARTTLS, then AUTH, before MAIL FROM"},
	{words: []string{"banned sending ip", "5.7.606", "5.7.708", "traffic not accepted from this ip"},
		means: "Microsoft has blocked the sending server's IP address; its delisting portal (sender.office.com) can lift the block. Changing the message will not help"},
	{words: []string{"relay access denied", "relaying denied", "relay not permitted", "relaying not permitted", "unable to relay", "we do not relay",
		"not permitted to relay", "relay denied", "relaying not allowed", "relay not allowed", "not allowed to relay"},
		means: "this server will not relay: it takes mail only for the domains it serves, unless the sender logs in first. To send to any domain, use your own provider's submission server (port 587, STARTTLS, AUTH); a server delivering mail talks to the recipient domain's own MX instead"},
	{words: []string{"not owned by user", "not owned by"},
		means: "a logged-in user may send only from the addresses that belong to the account: the MAIL FROM address belongs to someone else"},
	{words: []string{"not logged in", "authentication required", "authentication is required", "must authenticate"},
		means:  "log in first: send AUTH (after STARTTLS) before MAIL FROM",
		sameAs: []string{"5.7.0"}}, // 530 5.7.0 is explained so already
	{words: []string{"need fully-qualified hostname", "helo command rejected", "invalid helo", "bad helo", "helo/ehlo", "ehlo/helo"},
		means: "the server checks the name given with EHLO: send the client's fully qualified domain name (mail.example.com), one that resolves in DNS, or an address literal such as [192.0.2.1] (RFC 5321 §4.1.1.1)"},
	{words: []string{"cannot find your hostname", "cannot find your reverse hostname", "reverse dns", "reverse hostname", "ptr record", "no ptr"},
		means: "the sending server's IP address has no matching reverse DNS name (PTR record), which many servers demand against spam; the fix is in DNS, by whoever owns the IP address"},
	{words: []string{"blocked using", "listed at", "spamhaus", "blacklist", "blocklist", "dnsbl", "barracuda", "spamcop"},
		means: "the sending server's IP address is on a DNS blocklist that this server consults: look the address up on the list named here and follow its delisting steps. Changing the message will not help"},
	{words: []string{"dmarc"},
		means: "the message failed DMARC: the policy the From: domain publishes in DNS asks receivers to refuse mail that passes neither SPF nor DKIM for that domain (RFC 7489)"},
	{words: []string{"spf"},
		means: "the message failed SPF: the sender's domain publishes in DNS which servers may send its mail, and this sending server is not among them (RFC 7208)"},
	{words: []string{"dkim"},
		means: "a DKIM problem: the message's cryptographic signature is missing or did not verify (RFC 6376)"},
	{words: []string{"domain not found", "unknown sender domain", "sender domain does not exist", "domain of sender address"},
		means: "the domain of the MAIL FROM address has no DNS records this server can find: use a real sender address whose domain exists"},
	{words: []string{"user unknown", "unknown user", "no such user", "user not found", "recipient not found", "recipientnotfound", "address not found",
		"no such recipient", "invalid recipient", "unknown recipient", "no mailbox here", "does not exist"},
		means:  "this server has no mailbox with that address: check the spelling of the part before @",
		sameAs: []string{"5.1.1", "4.1.1"}},
	{words: []string{"mailbox full", "mailbox is full", "over quota", "quota exceeded", "exceeded storage", "insufficient system storage", "out of storage"},
		means:  "the recipient's mailbox is full; the recipient has to make room (a 4xx is retried, a 5xx bounces)",
		sameAs: []string{"5.2.2", "4.2.2"}},
	{words: []string{"message size exceeds", "message too big", "message too large", "exceeds fixed maximum message size", "size limit", "too large"},
		means:  "the message is bigger than this server takes (an EHLO reply's SIZE line gives the limit): send big attachments another way, as a link for example",
		sameAs: []string{"5.3.4", "5.2.3", "4.3.4"}},
	{words: []string{"unsolicited mail", "spam detected", "identified as spam", "considered spam", "looks like spam", "spam message rejected", "high probability of spam"},
		means: "the receiving server judged the message to be spam: its content, links or the sending server's reputation"},
	{words: []string{"greylist", "graylist", "try again later", "please retry later", "temporarily deferred", "try again in"},
		means:  "a temporary refusal: a real mail server keeps the message and retries later, and is then accepted (greylisting works this way); a one-shot test tool gives up instead",
		sameAs: []string{"4.7.1"}},
}

// ServerMeaning returns what the words of a server's reply mean ("Relay
// access denied", "blocked using zen.spamhaus.org", "SmtpClientAuthentication
// is disabled"), or "" when they say nothing this table knows: for
// mailtutor explain, which is given a reply a user copied.
func ServerMeaning(text string) string {
	m, _ := serverSayingFor(text, true)
	return m
}

// serverSayingFor returns what a server's reply text means, or "" when it
// says nothing this table knows, and the enhanced codes whose own
// explanation says the same. smtp adds the sending list.
func serverSayingFor(text string, smtp bool) (means string, sameAs []string) {
	lower := strings.ToLower(text)
	lists := [][]serverSaying{loginSayings}
	if smtp {
		// The sending list first: its Microsoft 365 entries are more
		// precise than the general login ones.
		lists = [][]serverSaying{sendingSayings, loginSayings}
	}
	for _, list := range lists {
		for _, s := range list {
			for _, w := range s.words {
				if strings.Contains(lower, w) {
					return s.means, s.sameAs
				}
			}
		}
	}
	return "", nil
}

// addServerMeaning adds to a POP3 or IMAP refusal's note what the server's
// words mean (the SMTP annotator looks its replies up itself, once each).
func addServerMeaning(l *Line, text string) {
	m, sameAs := serverSayingFor(text, false)
	if m == "" || slices.Contains(sameAs, l.Enhanced) {
		return
	}
	l.Note += "; the server's words mean: " + m
}
