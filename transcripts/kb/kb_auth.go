package kb

import "github.com/mailtutor/mailtutor/simulator/wire"

// authEntries explain why mail is refused for its sender's authentication
// (SPF, DKIM, DMARC) and the header fields receivers write about it: what
// a help desk reads in a bounce or a delivered message's header.
func authEntries() []Entry {
	header := func(key, summary, rfc, explain, client, check string) Entry {
		return Entry{Proto: wire.SMTP, Kind: HeaderField, Key: key, Summary: summary, RFC: rfc, Explain: explain, Client: client, Check: check}
	}
	return []Entry{
		{Proto: wire.SMTP, Kind: EnhancedCode, Key: "5.7.26",
			Summary: "Multiple authentication checks failed: refused by DMARC policy",
			RFC:     "RFC 7372 §3.4 (X.7.26); RFC 7489 §6.6.4",
			Explain: "The domain in the message's `From:` publishes a DMARC record with `p=reject` " +
				"(`_dmarc.DOMAIN TXT \"v=DMARC1; p=reject\"`), and neither check vouched for it: SPF did not pass for " +
				"a MAIL FROM domain aligned with `From:`, and no valid DKIM signature has an aligned `d=` domain. " +
				"Gmail and Yahoo answer `550 5.7.26 Unauthenticated email from example.com is not accepted due " +
				"to domain's DMARC policy`; since 2024 they require DMARC of bulk senders. Typical causes: a new " +
				"sending service not in the SPF record and not signing with the domain's key, a forwarded or " +
				"mailing-list message whose body or Subject was changed (the signature breaks), or a forged From:.",
			Client: "Bounce: \"Unauthenticated email is not accepted due to domain's DMARC policy\".",
			Check: "Read the refused message's Authentication-Results (or a test message sent to a mailbox you own): " +
				"which of spf=, dkim= failed, and for which domain. Add the sending server to the SPF record, or have it " +
				"sign with a DKIM key published under the From: domain."},
		header("AUTHENTICATION-RESULTS", "The receiving server's verdicts on SPF, DKIM and DMARC", "RFC 8601",
			"Written by the server that took the message in, at the top of the header: first its own name (the "+
				"authserv-id, e.g. `mx.google.com`), then one result per method: `spf=pass smtp.mailfrom=a@example.com` "+
				"(RFC 7208: the connecting IP may send for the MAIL FROM domain), `dkim=pass header.d=example.com` "+
				"(RFC 6376: a signature of that domain verifies; `fail` with a reason like \"body hash did not verify\" "+
				"means the message changed on the way), `dmarc=pass header.from=example.com` (RFC 7489: SPF or DKIM "+
				"passed for a domain aligned with the From: domain). Results are `pass`, `fail`, `softfail`, "+
				"`neutral`, `none` (no record), `temperror` (DNS trouble, try later), `permerror` (a broken record). "+
				"Trust only the field written by your own provider's server: receivers remove forged ones with their "+
				"own name (RFC 8601 §5), and anything below was written by the sender.",
			"Hidden by default; \"Show original\" (Gmail) or \"View source\" shows it.",
			"Find the topmost one with your provider's name; read dmarc= first, then the spf= and dkim= it rests on."),
		header("DKIM-SIGNATURE", "A domain's cryptographic signature over the body and chosen header fields", "RFC 6376 §3.5",
			"Added by the sending domain's server. `d=` is the signing domain, `s=` the selector: the public key is "+
				"the TXT record `s._domainkey.d` (`v=DKIM1; k=rsa` or `k=ed25519; p=...`). `h=` lists the signed "+
				"header fields, `bh=` is the hash of the body, `b=` the signature, `c=relaxed/relaxed` how much "+
				"whitespace may change. Any change to a signed field or the body afterwards (a mailing list footer, "+
				"a rewritten Subject) makes it fail. DMARC counts it when `d=` is aligned with the From: domain.",
			"Hidden in the header.",
			"Look up the key record named by s= and d=; compare d= with the From: domain."),
		header("RECEIVED-SPF", "An older, SPF-only form of the receiver's verdict", "RFC 7208 §9.1",
			"`Received-SPF: pass (domain of a@example.com designates 192.0.2.1 as permitted sender) client-ip=...; "+
				"envelope-from=...`: what Authentication-Results says in its spf= part, written by receivers that "+
				"check SPF alone (Postfix's policy-spf).",
			"Hidden in the header.", "Read the result word and the client-ip: that address must be in the domain's SPF record."),
	}
}
