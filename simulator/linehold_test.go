package simulator

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// written collects what the relay writes to the client.
type written struct {
	net.Conn // nil: only Write is used
	out      bytes.Buffer
}

func (w *written) Write(b []byte) (int, error) { return w.out.Write(b) }

// relayed feeds a client's bytes to a fresh session's fromClient in chunks
// of the given lengths (the rest in one chunk), and returns what the server
// library would get and what the relay answered itself.
func relayed(sim *Simulator, proto wire.Proto, stream []byte, cuts []int) (forward, replies string) {
	w := &written{}
	s := &session{sim: sim, proto: proto, split: wire.NewSplitter(proto), cli: w, done: make(chan struct{})}
	var got []byte
	for len(stream) > 0 {
		n := len(stream)
		if len(cuts) > 0 {
			n, cuts = min(n, cuts[0]), cuts[1:]
		}
		chunk := append([]byte(nil), stream[:n]...) // fromClient may edit in place
		stream = stream[n:]
		for {
			out, _ := s.fromClient(chunk)
			got = append(got, out...)
			if len(s.backlog) == 0 {
				break
			}
			// The bytes after a literal's announcement wait for the
			// library's answer: here it takes every literal.
			s.literalTag = ""
			s.literalWaiting.Store(false)
			chunk, s.backlog = s.backlog, nil
		}
	}
	return string(got), w.out.String()
}

// FuzzLinesInPiecesMatchWholeLines: however the client's bytes are cut
// into reads, the library gets the same bytes and the client the same
// answers from the relay as when every line came whole.
func FuzzLinesInPiecesMatchWholeLines(f *testing.F) {
	seeds := []struct {
		proto  byte
		stream string
	}{
		{0, "a1 LOGIN alice wonderland\r\na2 SELECT \"INBOX\r\nLIST \"\" *\r\na3  NOOP\r\n\r\na4 UID\r\na5 LOGIN {99999999999}\r\na6 NOOP\r\n"},
		{0, "a1 APPEND INBOX {5+}\r\nhello\r\na2 NOOP " + strings.Repeat("q", 40000) + "\r\na3 NOOP\r\n"},
		{0, "\x00\x1b[2J\r\n" + strings.Repeat("x", 33000) + "\r\na1 NOOP\r\n"},
		{1, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<Postmaster>\r\nVRFY\r\nEHLO bad\xc3(\r\nNOOP " + strings.Repeat("n", 3000) + "\r\nQUIT\r\n"},
		{1, "EHLO x\r\nAUTH LOGIN\r\n" + strings.Repeat("Y", 2500) + "\r\nBDAT 5 LAST\r\nhelloNOOP\r\n"},
		{2, "USER alice\r\nPASS wonderland\r\nRETR 1\r\n"},
	}
	for _, s := range seeds {
		f.Add(s.proto, []byte(s.stream), []byte{1, 2, 3, 7, 200, 5})
		f.Add(s.proto, []byte(s.stream), []byte{1})
	}
	sim := newSim(f, Options{})
	f.Fuzz(func(t *testing.T, which byte, stream, cutBytes []byte) {
		proto := []wire.Proto{wire.IMAP, wire.SMTP, wire.POP3}[int(which)%3]
		if bytes.Contains(bytes.ToUpper(stream), []byte("STARTTLS")) || bytes.Contains(bytes.ToUpper(stream), []byte("STLS")) {
			return // the bytes after STARTTLS belong to the handshake, which differs by read
		}
		cuts := make([]int, len(stream)) // reads of 1 to 64 bytes; of 1 byte without cutBytes
		for i := range cuts {
			cuts[i] = 1
			if len(cutBytes) > 0 {
				cuts[i] += int(cutBytes[i%len(cutBytes)] & 0x3f)
			}
		}
		wholeForward, wholeReplies := relayed(sim, proto, stream, nil)
		forward, replies := relayed(sim, proto, stream, cuts)
		if forward != wholeForward {
			t.Errorf("%s: the library gets %.300q in pieces, %.300q whole", proto, forward, wholeForward)
		}
		if replies != wholeReplies {
			t.Errorf("%s: the relay answers %.300q in pieces, %.300q whole", proto, replies, wholeReplies)
		}
	})
}

// BenchmarkLineInPieces: a 30 KB IMAP line read a byte at a time, the worst
// a slow or hostile client can make the relay hold; the cost must grow
// with the line, not with its square.
func BenchmarkLineInPieces(b *testing.B) {
	sim := newSim(b, Options{})
	stream := []byte("a1 NOOP " + strings.Repeat("q", 30000) + "\r\n")
	cuts := make([]int, len(stream))
	for i := range cuts {
		cuts[i] = 1
	}
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		relayed(sim, wire.IMAP, stream, cuts)
	}
}
