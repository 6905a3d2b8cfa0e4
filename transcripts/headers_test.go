package transcripts

import (
	"os"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// A message as Gmail shows it in "Show original" (written by hand in the
// form Gmail writes; the names and numbers are examples): the route, the
// checks the receiving server made, and a delay on one hop.
const gmailHeaders = "Delivered-To: dana@gmail.com\r\n" +
	"Received: by 2002:a05:7300:1234:b0:1a2:3b4c:5d6e with SMTP id a1csp123456dyb;\r\n" +
	"        Wed, 25 Nov 2026 10:14:09 -0800 (PST)\r\n" +
	"ARC-Authentication-Results: i=1; mx.google.com; spf=pass smtp.mailfrom=ann@fabrikam.com\r\n" +
	"Return-Path: <ann@fabrikam.com>\r\n" +
	"Received: from mail.fabrikam.com (mail.fabrikam.com. [203.0.113.9])\r\n" +
	"        by mx.google.com with ESMTPS id a1si1234567wmq.9.2026.11.25.10.14.08\r\n" +
	"        for <dana@gmail.com>; Wed, 25 Nov 2026 10:14:08 -0800 (PST)\r\n" +
	"Received-SPF: pass (google.com: domain of ann@fabrikam.com designates 203.0.113.9 as permitted sender) client-ip=203.0.113.9;\r\n" +
	"Authentication-Results: mx.google.com;\r\n" +
	"       dkim=pass header.i=@fabrikam.com header.s=sel1 header.b=abc;\r\n" +
	"       spf=pass (google.com: domain of ann@fabrikam.com designates 203.0.113.9 as permitted sender) smtp.mailfrom=ann@fabrikam.com;\r\n" +
	"       dmarc=fail (p=QUARANTINE sp=QUARANTINE dis=QUARANTINE) header.from=fabrikam.com\r\n" +
	"Received: from laptop.fabrikam.com ([198.51.100.4]) by mail.fabrikam.com with ESMTPSA id 4F2A1\r\n" +
	"        for <dana@gmail.com>; Wed, 25 Nov 2026 17:59:01 +0000\r\n" +
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=fabrikam.com; s=sel1; h=from:to:subject; bh=x; b=y\r\n" +
	"From: Ann <ann@fabrikam.com>\r\n" +
	"To: Dana <dana@gmail.com>\r\n" +
	"Subject: the report\r\n" +
	"X-Spam-Status: No, score=-0.1\r\n" +
	"\r\n" +
	"body\r\n"

func TestExplainHeaders(t *testing.T) {
	rep := ExplainHeaders([]byte(gmailHeaders))
	note := func(name string) string {
		for _, h := range rep.Headers {
			if h.Name == name {
				return h.Note
			}
		}
		t.Fatalf("no %s header", name)
		return ""
	}
	for name, want := range map[string]string{
		"Delivered-To":           "envelope recipient",
		"Return-Path":            "envelope sender",
		"Received-SPF":           "may send for the envelope domain",
		"Authentication-Results": "DMARC fail: neither SPF nor DKIM vouches for the From: domain",
		"DKIM-Signature":         "sel1._domainkey.fabrikam.com",
		"X-Spam-Status":          "spam filter's verdict",
	} {
		if n := note(name); !strings.Contains(n, want) {
			t.Errorf("%s: %q lacks %q", name, n, want)
		}
	}
	// Route, oldest first: the laptop's submission, then 15 minutes in
	// fabrikam's server before Gmail had it, then Gmail's own hop.
	want := []string{"laptop.fabrikam.com → mail.fabrikam.com [ESMTPSA]", "mail.fabrikam.com → mx.google.com [ESMTPS] (after 15m7s)",
		"2002:a05:7300:1234:b0:1a2:3b4c:5d6e [SMTP]"} // Gmail's internal hop names no sender
	if strings.Join(rep.Route, "|") != strings.Join(want, "|") {
		t.Fatalf("route\n got %q\nwant %q", rep.Route, want)
	}
	for _, h := range rep.Headers {
		if h.Name == "Received" && strings.Contains(h.Value, "mx.google.com with ESMTPS") && !strings.Contains(h.Note, "the delay happened here") {
			t.Errorf("the late hop: %q", h.Note)
		}
	}
	// "envelope-from" in a comment is not the from clause.
	if r := ExplainHeaders([]byte("Received: by mx.example.net with local (Exim 4.96) (envelope-from <c@example.net>) id 1x; Thu, 26 Nov 2026 10:43:25 +0000\r\n\r\n")); r.Route[0] != "mx.example.net [local]" {
		t.Errorf("route of a hop with no from clause: %q", r.Route)
	}
	if !LooksLikeMessage([]byte(gmailHeaders)) || LooksLikeMessage([]byte("C: EHLO x\r\nS: 250 ok\r\n")) {
		t.Error("LooksLikeMessage")
	}
}

// A real message, as Exim handed it to mailtutor serve and serve delivered
// it: two hops, the first one local to Exim's machine.
func TestExplainHeadersOfARealMessage(t *testing.T) {
	raw, err := os.ReadFile("testdata/messages/exim_via_serve_real.eml")
	if err != nil {
		t.Fatal(err)
	}
	rep := ExplainHeaders(raw)
	if len(rep.Route) != 2 || !strings.Contains(rep.Route[0], "mx.example.net [local]") || !strings.Contains(rep.Route[1], "mx.example.org [ESMTP]") {
		t.Fatalf("route %q", rep.Route)
	}
}

// No input makes ExplainHeaders panic, and a huge body is not read.
func FuzzExplainHeaders(f *testing.F) {
	f.Add([]byte(gmailHeaders))
	f.Add([]byte("Received: from\r\n\t; \r\nReceived: by x; Mon, 1 Jan 2026 00:00:00 +0000\r\n"))
	f.Add([]byte("Authentication-Results: ;dmarc=\r\nDKIM-Signature: d=\r\n\r\n"))
	f.Add([]byte("Received: from a\x1b[2J (b [192.0.2.1]) by c\u202e with ESMTP\x9b; Mon, 1 Jan 2026 00:00:00 +0000\r\nSubject: \x1b]52;c;cHduZWQ=\x07\r\nX-\u009b: \x1b]0;PWNED\x07\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		rep := ExplainHeaders(raw)
		for _, h := range rep.Headers {
			if h.Note == "" {
				t.Fatalf("header %q without a note", h.Name)
			}
			for _, s := range []string{h.Name, h.Value, h.Note} {
				if wire.Visible(s) != s {
					t.Fatalf("header %q: %q is not safe to print", h.Name, s)
				}
			}
		}
		for _, r := range rep.Route {
			if wire.Visible(r) != r {
				t.Fatalf("route %q is not safe to print", r)
			}
		}
		LooksLikeMessage(raw)
	})
}
