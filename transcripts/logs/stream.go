package logs

import (
	"bytes"
	"context"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// lineSeq yields a log's lines with their 0-based index, line endings
// (LF or CRLF) removed: the format parsers range over it as they would
// over a slice, and it reads the log as they go.
type lineSeq = iter.Seq2[int, string]

// wholeLog collects every line, for the few formats that must see the
// whole log before they can say anything: openssl s_client (it tells the
// dialogue from its own report in two passes), msmtp (one line of look
// ahead) and bounce messages (a delivery-status part is a block). Their
// logs are one session, a few KB.
func wholeLog(lines lineSeq) []string {
	var all []string
	for _, l := range lines {
		all = append(all, l)
	}
	return all
}

// sliceLines yields the lines of a slice.
func sliceLines(lines []string) lineSeq {
	return func(yield func(int, string) bool) {
		for i, l := range lines {
			if !yield(i, l) {
				return
			}
		}
	}
}

// Source reads a log as it arrives: a goroutine reads the input in chunks
// so that a pause in a pipe (journalctl -f) is noticed, and the lines read
// so far are handed on at once.
type Source struct {
	ctx    context.Context
	chunks chan []byte
	free   chan []byte // chunks handed back for the reading goroutine to reuse
	err    error       // the read error that ended the input (io.EOF at the end)
	buf    []byte      // bytes read and not yet cut into lines
	done   bool
	sample []byte // what Sample read, handed out again by Lines
	// Idle is called when no input is waiting (before the reader blocks):
	// the moment to flush what was written.
	Idle func()
}

// maxLogLine is the longest log line taken whole; a longer one is handed
// on in pieces of this size, so one endless line cannot take the memory.
const maxLogLine = 8 << 20

// chunkSize is how much the reading goroutine reads at once.
const chunkSize = 256 << 10

// NewSource starts reading r. The goroutine ends at the end of the input,
// on an error or when ctx is done (a Read blocked on a pipe ends with the
// process).
func NewSource(ctx context.Context, r io.Reader) *Source {
	s := &Source{ctx: ctx, chunks: make(chan []byte, 4), free: make(chan []byte, 6)}
	go func() {
		defer close(s.chunks)
		for {
			var b []byte
			select {
			case b = <-s.free:
			default:
				b = make([]byte, chunkSize)
			}
			n, err := r.Read(b)
			if n > 0 {
				select {
				case s.chunks <- b[:n]:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				s.err = err
				return
			}
		}
	}()
	return s
}

// sampleWait is how long Sample waits for more of a paused input before
// it lets the format be decided from what came.
const sampleWait = 50 * time.Millisecond

// Sample returns the start of the log for Detect: DetectBytes, or less
// when the input ends or pauses for sampleWait after a whole line (a
// follower of a live log must not wait for 16 KB).
func (s *Source) Sample() []byte {
	for len(s.buf) < DetectBytes && !s.done {
		var timeout <-chan time.Time
		if bytes.IndexByte(s.buf, '\n') >= 0 {
			timeout = time.After(sampleWait)
		}
		select {
		case c, ok := <-s.chunks:
			if !ok {
				s.done = true
				break
			}
			s.buf = append(s.buf, c...)
		case <-timeout:
			return s.buf
		case <-s.ctx.Done():
			s.done = true
		}
	}
	return s.buf
}

// next waits for the next chunk; false at the end of the input.
func (s *Source) next() bool {
	if s.done {
		return false
	}
	var c []byte
	var ok bool
	select {
	case c, ok = <-s.chunks:
	default:
		if s.Idle != nil {
			s.Idle()
		}
		select {
		case c, ok = <-s.chunks:
		case <-s.ctx.Done():
		}
	}
	if !ok {
		s.done = true
		return false
	}
	s.buf = append(s.buf, c...)
	select {
	case s.free <- c[:cap(c)]:
	default:
	}
	return true
}

// Err is the error that ended the input, nil at its end.
func (s *Source) Err() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// Lines yields the log's lines as they arrive. Lines starting with "# "
// at the very top are comments (mailtutor's own sample logs say there
// which tool they come from): they are blanked, not removed, so line
// numbers stay those of the file.
//
// The lines of one read are cut from one string, made once: a string per
// line cost more than the rest of the reading. A parser that keeps a piece
// of a line beyond the line (a connection's key, a problem's text) must
// clone it, or it keeps the whole read alive.
func (s *Source) Lines() lineSeq {
	return func(yield func(int, string) bool) {
		n := 0
		comments := true
		emit := func(l string) bool {
			l = strings.TrimSuffix(l, "\r")
			if comments && strings.HasPrefix(l, "# ") {
				l = ""
			} else {
				comments = false
			}
			n++
			return yield(n-1, l)
		}
		for {
			end := bytes.LastIndexByte(s.buf, '\n')
			if end < 0 && len(s.buf) >= maxLogLine {
				// An endless line: hand it on in pieces.
				s.buf = slices.Insert(s.buf, maxLogLine, '\n')
				end = maxLogLine
			}
			if end >= 0 {
				text := string(s.buf[:end+1])
				// The partial line moves to the front; the next read is
				// appended to it (text is a copy: the buffer is reused).
				s.buf = s.buf[:copy(s.buf, s.buf[end+1:])]
				for len(text) > 0 {
					i := strings.IndexByte(text, '\n')
					if !emit(text[:i]) {
						return
					}
					text = text[i+1:]
				}
			}
			if !s.next() {
				break
			}
		}
		if len(s.buf) > 0 {
			text := string(s.buf)
			s.buf = nil
			emit(text)
		}
	}
}

// Stream reads a log from src as it arrives and hands its sessions,
// events and problems to h as they are found: memory follows the open
// sessions, not the length of the log. An event is handed on as soon as
// its line is read, except where a reader must see more: a session whose
// protocol the log does not name waits for its first line that shows it
// (at most 200 lines; see maxWaiting), a DATA body or a literal is one
// event at its end, and the openssl, msmtp and bounce formats are read
// whole (one short session each). It returns the format it read.
func Stream(src *Source, opts Options, h Handler) (Format, error) {
	format := opts.Format
	if format == "" {
		format, _ = Detect(src.Sample())
	}
	p := &parser{format: format, forced: opts.Proto}
	b := newBuilder(p, opts.Proto, h)
	idle := src.Idle
	src.Idle = func() {
		b.Idle()
		if idle != nil {
			idle()
		}
	}
	if !parseWith(p, format, src.Lines()) {
		return format, errUnknownFormat(format)
	}
	b.finish()
	return format, src.Err()
}

// Follow returns a reader of f that, at the end of the file, waits for it
// to grow, as tail -f does, until ctx is done.
func Follow(ctx context.Context, f *os.File) io.Reader {
	return &follower{ctx: ctx, f: f}
}

type follower struct {
	ctx context.Context
	f   *os.File
}

// followPoll is how often a followed file is checked for growth.
const followPoll = 50 * time.Millisecond

func (fl *follower) Read(b []byte) (int, error) {
	for {
		n, err := fl.f.Read(b)
		if n > 0 || err != io.EOF {
			return n, err
		}
		select {
		case <-fl.ctx.Done():
			return 0, io.EOF
		case <-time.After(followPoll):
		}
	}
}

// collect is a Handler that keeps everything, for Parse.
func collect(res *Result) Handler {
	index := map[wire.SessionID]int{}
	return Handler{
		Session: func(id wire.SessionID, proto wire.Proto) {
			index[id] = len(res.Sessions)
			res.Sessions = append(res.Sessions, Session{ID: id, Proto: proto})
		},
		Event: func(e wire.Event) {
			s := &res.Sessions[index[e.Session]]
			s.Events = append(s.Events, e)
		},
		Problem: func(p Problem) { res.Problems = append(res.Problems, p) },
	}
}

// sortResult puts a Result in the order of the log: sessions by number
// (a session waiting for its protocol starts late), problems by line
// (openssl finds some late).
func sortResult(res *Result) {
	slices.SortStableFunc(res.Sessions, func(a, b Session) int { return sessionNumber(a.ID) - sessionNumber(b.ID) })
	slices.SortStableFunc(res.Problems, func(a, b Problem) int { return a.Line - b.Line })
}

// ReadAll returns the rest of the input, what Sample read included, up to
// limit bytes (a message's source is read whole for its headers).
func (s *Source) ReadAll(limit int) ([]byte, error) {
	for len(s.buf) <= limit && s.next() {
	}
	if len(s.buf) > limit {
		return nil, ErrTooLarge
	}
	return s.buf, s.Err()
}
