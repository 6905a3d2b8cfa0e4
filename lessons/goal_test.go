package lessons

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// parseGoal reads a goal the way a lesson file would give it.
func parseGoal(t *testing.T, src string) *Goal {
	t.Helper()
	var g Goal
	if err := yaml.Unmarshal([]byte(src), &g); err != nil {
		t.Fatalf("goal %q: %v", src, err)
	}
	g.walk(func(g *Goal) {
		for _, s := range []*string{sessionOf(g.Sent), sessionOfR(g.Reply), sessionOfY(g.Says), sessionOfS(g.State), sessionOfC(g.Closed), sessionOfC(g.TLS)} {
			if s != nil && *s == "" {
				*s = "main"
			}
		}
	})
	return &g
}

func client(seq uint64, sess wire.SessionID, verb, text string) Observed {
	return Observed{Seq: seq, Session: sess, Dir: wire.FromClient, Kind: wire.Line, Verb: verb, Text: text}
}

func server(seq uint64, sess wire.SessionID, verb, code, enh, state string) Observed {
	return Observed{Seq: seq, Session: sess, Dir: wire.FromServer, Kind: wire.Line, Verb: verb, Code: code,
		Enhanced: enh, State: state, Complete: true, Text: code + " " + enh + " text"}
}

func evidence(lines ...Observed) *Evidence {
	return &Evidence{
		Lines:    lines,
		Sessions: map[string][]wire.SessionID{"main": {"s1"}, "other": {"s2", "s5"}},
		World: WorldState{
			Mailboxes: []BoxState{
				{User: "bob@example.org", Name: "INBOX", Messages: []MsgState{
					{UID: 1, Subject: "Welcome", From: "Alice <alice@example.com>", Flags: []string{`\Seen`}},
					{UID: 2, Subject: "Hello Bob", From: "Carol <carol@example.net>", MarkedDeleted: true,
						Body: []byte("A line with one dot follows:\r\n.\r\n.profile is hidden\r\n")},
				}},
				{User: "bob@example.org", Name: "Sent"},
			},
			Outbound: []Envelope{{From: "alice@example.com", To: []string{"dave@example.net"}}},
		},
	}
}

func TestGoalPredicates(t *testing.T) {
	ehloOK := evidence(client(1, "s1", "EHLO", "EHLO x"), server(2, "s1", "EHLO", "250", "", "greeted"))
	ehloRefusedOther := evidence(client(1, "s2", "EHLO", "EHLO x"), server(2, "s2", "EHLO", "250", "", "greeted"))
	rcptRefused := evidence(client(1, "s1", "RCPT", "RCPT TO:<x@example.org>"), server(2, "s1", "RCPT", "550", "5.1.1", "mail"))
	notComplete := evidence(Observed{Seq: 2, Session: "s1", Dir: wire.FromServer, Kind: wire.Line, Verb: "EHLO", Code: "250"})
	closed := evidence(Observed{Seq: 3, Session: "s5", Dir: wire.Meta, Kind: wire.Close})
	tlsDone := evidence(Observed{Seq: 3, Session: "s1", Dir: wire.Meta, Kind: wire.TLS})
	body := evidence(server(9, "s1", "<body>", "250", "2.0.0", "greeted"))
	imap := evidence(Observed{Seq: 4, Session: "s1", Dir: wire.FromServer, Kind: wire.Line, Verb: "LOGIN", Code: "NO",
		RespCode: "AUTHENTICATIONFAILED", Complete: true, State: "not authenticated"})
	imapPush := evidence(
		Observed{Seq: 5, Session: "s1", Dir: wire.FromServer, Kind: wire.Line, Verb: "IDLE", Code: "+", Text: "+ idling"},
		Observed{Seq: 6, Session: "s1", Dir: wire.FromServer, Kind: wire.Line, Verb: "IDLE", Code: "EXISTS", Text: "* 4 EXISTS"})

	cases := []struct {
		name string
		goal string
		ev   *Evidence
		want bool
	}{
		{"reply verb from list", `reply: {verb: [HELO, EHLO], code: "250"}`, ehloOK, true},
		{"reply class pattern", `reply: {verb: EHLO, code: "2xx"}`, ehloOK, true},
		{"reply wrong code", `reply: {verb: EHLO, code: "5xx"}`, ehloOK, false},
		{"reply other session", `reply: {verb: EHLO, code: "250"}`, ehloRefusedOther, false},
		{"reply named other session", `reply: {session: other, verb: EHLO, code: "250"}`, ehloRefusedOther, true},
		{"reply wrong verb", `reply: {verb: MAIL, code: "250"}`, ehloOK, false},
		{"reply incomplete line ignored", `reply: {verb: EHLO, code: "250"}`, notComplete, false},
		{"refused RCPT is not success", `reply: {verb: RCPT, code: "250"}`, rcptRefused, false},
		{"enhanced code", `reply: {verb: RCPT, code: "550", enhanced: "5.1.x"}`, rcptRefused, true},
		{"enhanced code mismatch", `reply: {verb: RCPT, enhanced: "5.7.1"}`, rcptRefused, false},
		{"body verb", `reply: {verb: body, code: "250"}`, body, true},
		{"respcode", `reply: {verb: [LOGIN, AUTHENTICATE], code: NO, respcode: AUTHENTICATIONFAILED}`, imap, true},
		{"respcode mismatch", `reply: {verb: LOGIN, respcode: IN-USE}`, imap, false},
		{"reply text", `reply: {verb: RCPT, code: "550", text: "TEXT"}`, rcptRefused, true},
		{"says untagged", `says: {code: EXISTS}`, imapPush, true},
		{"says continuation", `says: {verb: IDLE, code: "+"}`, imapPush, true},
		{"says other session", `says: {session: other, code: EXISTS}`, imapPush, false},
		{"says text", `says: {text: "4 exists"}`, imapPush, true},
		{"reply ignores untagged", `reply: {code: EXISTS}`, imapPush, false},
		{"sent", `sent: {verb: RCPT, text: "x@example.org"}`, rcptRefused, true},
		{"sent no match", `sent: {verb: DATA}`, rcptRefused, false},
		{"state", `state: {state: [GREETED]}`, ehloOK, true},
		{"state no match", `state: {state: rcpt}`, ehloOK, false},
		{"closed on a reopened session", `closed: other`, closed, true},
		{"closed no", `closed: main`, closed, false},
		{"tls", `tls: main`, tlsDone, true},
		{"tls other session", `tls: {session: other}`, tlsDone, false},
		{"tls is not a close", `closed: main`, tlsDone, false},
		{"message subject", `message: {user: bob@example.org, subject: hello}`, ehloOK, true},
		{"message from and flags", `message: {user: bob@example.org, from: alice, flags: ['\seen']}`, ehloOK, true},
		{"message not flags", `message: {user: bob@example.org, from: alice, not_flags: ['\Seen']}`, ehloOK, false},
		{"message marked deleted", `message: {user: bob@example.org, marked_deleted: true, subject: Hello}`, ehloOK, true},
		{"message not marked", `message: {user: bob@example.org, marked_deleted: false, subject: Hello}`, ehloOK, false},
		{"message count", `message: {user: bob@example.org, count: 2}`, ehloOK, true},
		{"message gone", `message: {user: bob@example.org, subject: Invoice, count: 0}`, ehloOK, true},
		{"message not gone", `message: {user: bob@example.org, subject: Welcome, count: 0}`, ehloOK, false},
		{"message in Sent", `message: {user: bob@example.org, mailbox: Sent}`, ehloOK, false},
		{"body contains", `message: {user: bob@example.org, body_contains: "ONE DOT"}`, ehloOK, true},
		{"body contains no", `message: {user: bob@example.org, body_contains: "two dots"}`, ehloOK, false},
		{"body line exact", `message: {user: bob@example.org, subject: Hello, body_line: "."}`, ehloOK, true},
		{"body line with one dot", `message: {user: bob@example.org, body_line: ".profile is hidden"}`, ehloOK, true},
		{"body line stuffed dot not stored", `message: {user: bob@example.org, body_line: ".."}`, ehloOK, false},
		{"body line is the whole line", `message: {user: bob@example.org, body_line: "profile is hidden"}`, ehloOK, false},
		{"body line other message", `message: {user: bob@example.org, subject: Welcome, body_line: "."}`, ehloOK, false},
		{"body line empty message", `message: {user: bob@example.org, subject: Welcome, body_contains: x}`, ehloOK, false},
		{"message unknown user", `message: {user: zed@example.org}`, ehloOK, false},
		{"mailbox exists", `mailbox: {user: bob@example.org, name: Sent, count: 0}`, ehloOK, true},
		{"mailbox missing", `mailbox: {user: bob@example.org, name: Projects}`, ehloOK, false},
		{"mailbox absent", `mailbox: {user: bob@example.org, name: Projects, exists: false}`, ehloOK, true},
		{"mailbox count", `mailbox: {user: bob@example.org, name: inbox, count: 2}`, ehloOK, true},
		{"outbound", `outbound: {to: example.net}`, ehloOK, true},
		{"outbound none", `outbound: {to: example.com}`, ehloOK, false},
		{"all", "all:\n - reply: {verb: EHLO, code: \"250\"}\n - message: {user: bob@example.org, subject: hello}", ehloOK, true},
		{"all fails", "all:\n - reply: {verb: EHLO, code: \"250\"}\n - message: {user: bob@example.org, subject: nope}", ehloOK, false},
		{"any", "any:\n - reply: {verb: HELO, code: \"250\"}\n - reply: {verb: EHLO, code: \"250\"}", ehloOK, true},
		{"any fails", "any:\n - reply: {verb: HELO, code: \"250\"}\n - reply: {verb: LHLO, code: \"250\"}", ehloOK, false},
		{"not", "reply: {verb: EHLO, code: \"250\"}\nnot: {outbound: {to: example.com}}", ehloOK, true},
		{"not fails", "not: {outbound: {to: example.net}}\nreply: {verb: EHLO, code: \"250\"}", ehloOK, false},
		{"predicate list means all", "message:\n - {user: bob@example.org, subject: hello}\n - {user: bob@example.org, subject: welcome}", ehloOK, true},
		{"predicate list means all, one fails", "message:\n - {user: bob@example.org, subject: hello}\n - {user: bob@example.org, subject: nope}", ehloOK, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := parseGoal(t, c.goal).Met(c.ev); got != c.want {
				t.Errorf("Met = %v, want %v", got, c.want)
			}
		})
	}
}

func TestGoalEvidenceRule(t *testing.T) {
	cases := map[string]bool{
		`sent: {verb: EHLO}`:                                                   false,
		`reply: {verb: EHLO, code: "250"}`:                                     true,
		"all:\n - sent: {verb: EHLO}\n - state: {state: greeted}":              true,
		"any:\n - sent: {verb: EHLO}\n - reply: {verb: HELO, code: \"250\"}":   false,
		"any:\n - message: {user: a@b}\n - reply: {verb: HELO, code: \"250\"}": true,
		"sent: {verb: EHLO}\nnot: {reply: {verb: EHLO, code: \"5xx\"}}":        false,
		`closed: main`: true,
	}
	for src, want := range cases {
		if got := parseGoal(t, src).hasEvidence(); got != want {
			t.Errorf("%q: hasEvidence = %v, want %v", src, got, want)
		}
	}
}

func TestGoalSyntaxErrors(t *testing.T) {
	for _, src := range []string{
		`reply: {verb: EHLO, cod: "250"}`,
		`replies: {verb: EHLO}`,
		`all: {reply: {verb: EHLO}}`,
		`[reply]`,
		`{}`,
		`all: []`,
	} {
		var g Goal
		if err := yaml.Unmarshal([]byte(src), &g); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
}

func TestGoalDescribe(t *testing.T) {
	g := parseGoal(t, "all:\n - reply: {verb: [EHLO, HELO], code: \"250\"}\n - message: {user: bob@example.org, subject: Hi, flags: ['\\Seen']}\n - message: {user: bob@example.org, subject: Lunch, count: 0}")
	got := g.Describe()
	for _, want := range []string{
		"the server answers EHLO or HELO with 250 on main",
		`a message about "Hi", marked \Seen in bob@example.org's INBOX`,
		`no longer a message about "Lunch" in bob@example.org's INBOX`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe() = %q, missing %q", got, want)
		}
	}
}
