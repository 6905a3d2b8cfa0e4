package lessons

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// recordTickets rewrites the troubleshooting drill's recordings:
//
//	go test ./lessons -run TestTicketRecordings -record-tickets
var recordTickets = flag.Bool("record-tickets", false, "re-record the troubleshooting drill's sessions into content/")

// ticket is a misconfigured mail program whose session lesson 16 replays.
type ticket struct {
	file   string     // under content/
	title  string     // the transcript's title, shown above the replay
	role   wire.Role  // where the mail program connects
	faults []string   // faults on in the server (the situation of the ticket)
	users  []UserSpec // the world's users, when not the default ones
	sends  []Send     // what the mail program says, line by line
}

// quit ends the session and waits for the server to hang up, so the
// recording holds the close.
func quit() Send { return Send{Session: "client", Lines: []string{"QUIT"}, Wait: WaitClose} }

func line(s string) Send               { return Send{Session: "client", Lines: []string{s}} }
func lines(w string, s ...string) Send { return Send{Session: "client", Lines: s, Wait: w} }

// tickets are the three recorded sessions of lesson 16.
func tickets() []ticket {
	return []ticket{
		{
			file:  "16-ticket-1-pop3-login.jsonl",
			title: "Ticket 1: Alice's mail program fetching mail over POP3 (password prompt keeps coming back)",
			role:  wire.RolePOP3,
			sends: []Send{
				line("CAPA"),
				line("USER alice@example.co"), line("PASS wonderland"),
				// The program asks Alice for her password again and retries.
				line("USER alice@example.co"), line("PASS wonderland"),
				quit(),
			},
		},
		{
			file:  "16-ticket-2-port-25.jsonl",
			title: "Ticket 2: Alice's PC sending two messages (colleague: fine, customer: bounced)",
			role:  wire.RoleMX,
			// Dave is Alice's colleague at example.com.
			users: []UserSpec{{Address: "alice@example.com", Password: "wonderland"}, {Address: "dave@example.com", Password: "tea-party"},
				{Address: "bob@example.org", Password: "builder"}},
			sends: []Send{
				line("EHLO alice-pc.example.com"),
				line("MAIL FROM:<alice@example.com>"), line("RCPT TO:<dave@example.com>"), line("DATA"),
				lines(WaitReply, "From: Alice <alice@example.com>", "To: Dave <dave@example.com>", "Subject: Minutes of the meeting",
					"", "Here are the minutes.", "."),
				line("MAIL FROM:<alice@example.com>"), line("RCPT TO:<orders@customer.example.net>"),
				line("RSET"),
				quit(),
			},
		},
		{
			// The updated server does what submission does by default:
			// AUTH only after STARTTLS.
			file:  "16-ticket-3-no-tls.jsonl",
			title: "Ticket 3: Alice's laptop sending after the server update",
			role:  wire.RoleSubmission,
			sends: []Send{
				line("EHLO alice-laptop.example.com"),
				line("AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ="),
				quit(),
			},
		},
	}
}

// record plays a ticket's mail program against a fresh simulator and
// returns the annotated transcript, as "mailtutor" saves it.
func (tk ticket) record(t *testing.T) *transcripts.Transcript {
	t.Helper()
	l := &Lesson{
		Meta:  Meta{ID: "ticket", Sessions: map[string]SessionSpec{"client": {Role: tk.role}}, World: World{Faults: tk.faults, Users: tk.users}},
		Steps: []*Step{{Title: "record", Kind: Read}},
	}
	l.sessionOrder = []string{"client"}
	s, err := start(l, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if err := s.run.PlaySends(context.Background(), tk.sends, PlayOptions{}); err != nil {
		t.Fatal(err)
	}
	s.rec.Sync()
	tr := s.rec.Transcript()
	tr.Title = tk.title
	return tr
}

// shape is what must stay the same between a recording and a new one: who
// spoke, what kind of line, the command and the reply codes, and the words
// the client typed (server texts carry ports and timestamps).
func shape(tr *transcripts.Transcript) []string {
	var out []string
	for _, l := range tr.Lines {
		s := fmt.Sprintf("%s %s %s %s %s %s", l.Dir, l.Kind, l.Verb, l.Code, l.Enhanced, l.RespCode)
		if l.Dir == wire.FromClient {
			s += " " + l.Text
		}
		out = append(out, s)
	}
	return out
}

// The recordings under content/ are what the servers really answer today:
// playing each mail program again gives the same conversation, and the
// annotator explains every line of it.
func TestTicketRecordings(t *testing.T) {
	for _, tk := range tickets() {
		t.Run(tk.file, func(t *testing.T) {
			fresh := tk.record(t)
			path := filepath.Join("content", tk.file)
			if *recordTickets {
				var buf bytes.Buffer
				if err := fresh.Save(&buf); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (record with -record-tickets)", err)
			}
			saved, err := parseReplay(raw)
			if err != nil {
				t.Fatal(err)
			}
			if saved.Title != tk.title {
				t.Errorf("title %q, want %q", saved.Title, tk.title)
			}
			want, got := shape(saved), shape(fresh)
			if fmt.Sprint(want) != fmt.Sprint(got) {
				t.Errorf("the servers answer differently now (re-record with -record-tickets)\nsaved:\n%q\nnow:\n%q", want, got)
			}
			for _, l := range saved.Lines {
				if l.Unknown {
					t.Errorf("unexplained line %q", l.Text)
				}
				if l.Secret && bytes.Contains(l.Raw, []byte("AGFsaWNl")) {
					t.Errorf("credential saved unmasked: %q", l.Raw)
				}
			}
		})
	}
}
