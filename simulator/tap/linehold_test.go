package tap

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// relayed feeds a client's bytes to a fresh session's fromClient in chunks
// of the given lengths (the rest in one chunk), and returns what the server
// library would get (nothing, once the session ended) and what the relay
// answered itself (for the
// corrector, a fakeCorrector with the line limit given, none for 0).
func relayed(proto wire.Proto, limit int, stream []byte, cuts []int) (forward, replies string) {
	w := &written{}
	var corr Corrector
	if limit > 0 {
		// Without a limit lines go on in pieces as they come (POP3), and
		// none can be corrected: no corrector.
		corr = &fakeCorrector{limit: limit}
	}
	s := bareSession(proto, corr, w)
	var got []byte
	for len(stream) > 0 && !s.isClosed() {
		n := len(stream)
		if len(cuts) > 0 {
			n, cuts = min(n, cuts[0]), cuts[1:]
		}
		chunk := append([]byte(nil), stream[:n]...) // fromClient may edit in place
		stream = stream[n:]
		for {
			out, _ := s.fromClient(chunk)
			got = append(got, out...)
			if len(s.backlog) == 0 || s.isClosed() {
				break
			}
			// The bytes after a literal's announcement wait for the
			// library's answer: here it takes every literal.
			s.literalTag = ""
			s.literalWaiting.Store(false)
			chunk, s.backlog = s.backlog, nil
		}
	}
	if s.isClosed() {
		// A refusal that hangs up: what the library got before does not
		// matter (in pieces it got more of the chunk the session ended in).
		return "(the session ended)", w.out.String()
	}
	return string(got), w.out.String()
}

// FuzzLinesInPiecesMatchWholeLines: however the client's bytes are cut
// into reads, the library gets the same bytes and the client the same
// answers from the relay (its corrector's) as when every line came whole.
func FuzzLinesInPiecesMatchWholeLines(f *testing.F) {
	seeds := []struct {
		proto  byte
		stream string
	}{
		{0, "a1 LOGIN alice wonderland\r\na2 SELECT \"INBOX\r\nLIST \"\" *\r\na3  NOOP\r\n\r\na4 UID\r\na5 LOGIN {99999999999}\r\na6 NOOP\r\n"},
		{0, "a1 NOOP refuse-me\r\na2 LIST rewrite-me *\r\na3 APPEND INBOX {3}\r\nabc\r\na4 NOOP\r\n"},
		{1, "EHLO x\r\nVRFY refuse-me\r\nMAIL FROM:<rewrite-me@b.c>\r\nNOOP hang-up-me\r\nNOOP\r\n"},
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
		limit := map[wire.Proto]int{wire.IMAP: 32 * 1024, wire.SMTP: 2000}[proto]
		wholeForward, wholeReplies := relayed(proto, limit, stream, nil)
		forward, replies := relayed(proto, limit, stream, cuts)
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
	stream := []byte("a1 NOOP " + strings.Repeat("q", 30000) + "\r\n")
	cuts := make([]int, len(stream))
	for i := range cuts {
		cuts[i] = 1
	}
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		relayed(wire.IMAP, 32*1024, stream, cuts)
	}
}
