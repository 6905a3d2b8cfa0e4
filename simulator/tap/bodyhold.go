package tap

import "bytes"

// bodyHold reads a plain SMTP DATA body on the server library's behalf.
//
// go-smtp reads a message body a byte at a time, through two byte-wise
// loops (its line-length check and its dot-unstuffing state machine): about
// a tenth of the CPU of receiving a 2 KB message. The tap reads every byte
// anyway, so when a body is plain it keeps the body and gives the library
// only the ".\r\n" that ends it; the SMTP session takes the body from the
// tap (BodyTaker: smtp.Corrector) and stores exactly the bytes go-smtp would have
// produced.
//
// Plain means that go-smtp would hand the body over unchanged: every line
// ends with CRLF and holds no other CR, no line starts with a dot (so there
// is no dot-stuffing to undo), no line comes near the line-length limit and
// the body stays below the size limit. Anything else (and a connection that
// ends before the body does) goes to the library byte for byte, as it came,
// so every error and every limit stays the library's.
//
// A bodyHold is used only by the goroutine that reads for the library.
type bodyHold struct {
	maxLine int // the library's line limit, in octets
	maxSize int // the library's message size limit, or less (BodyTaker.BodyLimits), in octets

	active    bool   // a body is being held
	buf       []byte // the body read so far, from its first byte
	lineStart int    // where buf's unfinished line starts
	ready     []byte // a whole body, until taken (nil: none)
}

// holdVerdict says what add made of a chunk.
type holdVerdict int

const (
	holdMore     holdVerdict = iota // the body goes on: read more
	holdDone                        // the body ended; the rest follows it
	holdFallBack                    // not plain: give the library everything held
)

// start begins holding at the first byte of a body.
func (h *bodyHold) start() {
	h.active = true
	if cap(h.buf) > 256*1024 {
		h.buf = nil // a large attachment's buffer does not stay pinned to the session
	}
	h.buf = h.buf[:0]
	h.lineStart = 0
	h.ready = nil
}

// add takes the next bytes of the body. With holdDone, rest is what the
// library gets instead of the body: the ".\r\n" that ended it and the bytes
// after it; the body waits in ready. With holdFallBack, rest is everything
// held, to be given to the library as it came.
func (h *bodyHold) add(chunk []byte) (rest []byte, v holdVerdict) {
	h.buf = append(h.buf, chunk...)
	for {
		line := h.buf[h.lineStart:]
		if len(line) > 0 && line[0] == '.' {
			switch {
			case len(line) >= 3 && line[1] == '\r' && line[2] == '\n':
				h.active = false
				if h.lineStart > 0 {
					h.ready = h.buf[:h.lineStart]
				}
				return line, holdDone
			case len(line) == 1 || (len(line) == 2 && line[1] == '\r'):
				return nil, holdMore // the terminator, perhaps: wait for its end
			default:
				return h.fallBack() // a stuffed line: go-smtp unstuffs it
			}
		}
		end := bytes.IndexByte(line, '\n')
		if end < 0 {
			if len(line) >= h.maxLine-1 {
				return h.fallBack()
			}
			return nil, holdMore
		}
		// go-smtp counts a line's octets with the LF before it; stay clear
		// of its limit so that it alone decides what is too long.
		if end >= h.maxLine-1 || end == 0 || line[end-1] != '\r' || bytes.IndexByte(line[:end-1], '\r') >= 0 {
			return h.fallBack()
		}
		h.lineStart += end + 1
		if h.lineStart >= h.maxSize {
			return h.fallBack()
		}
	}
}

func (h *bodyHold) fallBack() ([]byte, holdVerdict) {
	h.active = false
	return h.buf, holdFallBack
}

// take returns the body that ended last and forgets it.
func (h *bodyHold) take() ([]byte, bool) {
	body := h.ready
	h.ready = nil
	return body, body != nil
}
