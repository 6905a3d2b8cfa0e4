package transcripts

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/mailtutor/mailtutor/simulator/wire"
)

// FormatName and FormatVersion identify the native transcript file: JSON
// Lines whose first line is a header object {"format":"mailtutor-transcript",
// "version":1,...} and every following line one annotated Line.
const (
	FormatName    = "mailtutor-transcript"
	FormatVersion = 1
)

// maxRecord bounds one line of a transcript file (a 64 MiB payload encoded
// as base64 plus its annotation fits), so a corrupt file cannot make Load
// read without end.
const maxRecord = 128 << 20

// Transcript is a recorded set of sessions and their annotated lines.
type Transcript struct {
	Version  int           // file format version (FormatVersion when created here)
	Title    string        // what the recording is ("Lesson 3: your first email")
	Created  time.Time     // when recording started
	Sessions []SessionInfo // every session seen, in order of opening
	Lines    []Line        // every annotated line, in wire order
}

// SessionInfo describes one connection of a transcript.
type SessionInfo struct {
	ID     wire.SessionID
	Proto  wire.Proto
	Role   wire.Role
	Peer   string    // the client's address
	Opened time.Time // zero if the recording started after it opened
	Closed time.Time // zero while open
}

// SaveOptions says how a transcript is written.
type SaveOptions struct {
	// RevealSecrets writes credentials as they were shown. By default every
	// line is saved in its masked form, so a transcript can be shared.
	RevealSecrets bool
}

// fileHeader is the first line of a transcript file.
type fileHeader struct {
	Format   string        `json:"format"`
	Version  int           `json:"version"`
	Title    string        `json:"title,omitempty"`
	Created  time.Time     `json:"created"`
	Sessions []sessionJSON `json:"sessions"`
}

type sessionJSON struct {
	ID     string     `json:"id"`
	Proto  string     `json:"proto"`
	Role   string     `json:"role,omitempty"`
	Peer   string     `json:"peer,omitempty"`
	Opened *time.Time `json:"opened,omitempty"`
	Closed *time.Time `json:"closed,omitempty"`
}

// lineJSON is one Line on disk. Raw is stored as text when it is valid
// UTF-8 (readable with grep) and as base64 otherwise, so any bytes survive.
type lineJSON struct {
	Seq       uint64    `json:"seq"`
	Session   string    `json:"session,omitempty"`
	Proto     string    `json:"proto,omitempty"`
	Role      string    `json:"role,omitempty"`
	Dir       string    `json:"dir"`
	Kind      string    `json:"kind"`
	Time      time.Time `json:"time"`
	Text      string    `json:"text"`
	Raw       *string   `json:"raw,omitempty"`
	RawBase64 []byte    `json:"raw_base64,omitempty"`
	Encrypted bool      `json:"encrypted,omitempty"`
	Secret    bool      `json:"secret,omitempty"`
	Verb      string    `json:"verb,omitempty"`
	Tag       string    `json:"tag,omitempty"`
	Code      string    `json:"code,omitempty"`
	Enhanced  string    `json:"enhanced,omitempty"`
	RespCode  string    `json:"resp_code,omitempty"`
	State     string    `json:"state,omitempty"`
	Note      string    `json:"note,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	RFC       string    `json:"rfc,omitempty"`
	Level     string    `json:"level,omitempty"`
	Complete  bool      `json:"complete,omitempty"`
	Answers   string    `json:"answers,omitempty"`
	OK        bool      `json:"ok,omitempty"`
	Unknown   bool      `json:"unknown,omitempty"`
}

// Save writes the transcript in the native format with secrets masked.
func (t *Transcript) Save(w io.Writer) error { return t.SaveWith(w, SaveOptions{}) }

// SaveWith writes the transcript in the native format.
func (t *Transcript) SaveWith(w io.Writer, opts SaveOptions) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h := fileHeader{Format: FormatName, Version: FormatVersion, Title: t.Title, Created: t.Created, Sessions: []sessionJSON{}}
	for _, s := range t.Sessions {
		sj := sessionJSON{ID: string(s.ID), Proto: string(s.Proto), Role: string(s.Role), Peer: s.Peer}
		if !s.Opened.IsZero() {
			o := s.Opened
			sj.Opened = &o
		}
		if !s.Closed.IsZero() {
			c := s.Closed
			sj.Closed = &c
		}
		h.Sessions = append(h.Sessions, sj)
	}
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("save transcript header: %w", err)
	}
	for _, l := range t.Lines {
		if !opts.RevealSecrets {
			l = l.Masked()
		}
		if err := enc.Encode(toJSON(l)); err != nil {
			return fmt.Errorf("save transcript line %d: %w", l.Seq, err)
		}
	}
	return bw.Flush()
}

func toJSON(l Line) lineJSON {
	j := lineJSON{
		Seq: l.Seq, Session: string(l.Session), Proto: string(l.Proto), Role: string(l.Role),
		Dir: l.Dir.String(), Kind: l.Kind.String(), Time: l.Time, Text: l.Text,
		Encrypted: l.Encrypted, Secret: l.Secret, Verb: l.Verb, Tag: l.Tag, Code: l.Code,
		Enhanced: l.Enhanced, RespCode: l.RespCode, State: l.State, Note: l.Note, Detail: l.Detail,
		RFC: l.RFC, Level: l.Level.String(), Complete: l.Complete, Answers: l.Answers, OK: l.OK, Unknown: l.Unknown,
	}
	if l.Raw != nil {
		if utf8.Valid(l.Raw) {
			s := string(l.Raw)
			j.Raw = &s
		} else {
			j.RawBase64 = l.Raw
		}
	}
	return j
}

// Load reads a transcript in the native format. Errors name the file line.
func Load(r io.Reader) (*Transcript, error) {
	br := bufio.NewReader(r)
	t := &Transcript{}
	lineNo := 0
	sawHeader := false
	for {
		rec, err := readRecord(br)
		if len(rec) == 0 && err == io.EOF {
			break
		}
		lineNo++
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("transcript line %d: %w", lineNo, err)
		}
		rec = bytes.TrimSpace(rec)
		if len(rec) == 0 {
			if err == io.EOF {
				break
			}
			continue
		}
		if !sawHeader {
			if err := t.readHeader(rec); err != nil {
				return nil, fmt.Errorf("transcript line %d: %w", lineNo, err)
			}
			sawHeader = true
		} else {
			l, err := parseLine(rec)
			if err != nil {
				return nil, fmt.Errorf("transcript line %d: %w", lineNo, err)
			}
			t.Lines = append(t.Lines, l)
		}
		if err == io.EOF {
			break
		}
	}
	if !sawHeader {
		return nil, errors.New("transcript line 1: empty file, expected a mailtutor-transcript header")
	}
	return t, nil
}

// readRecord reads one line, refusing lines over maxRecord.
func readRecord(br *bufio.Reader) ([]byte, error) {
	var rec []byte
	for {
		chunk, err := br.ReadSlice('\n')
		rec = append(rec, chunk...)
		if len(rec) > maxRecord {
			return nil, fmt.Errorf("line longer than %d bytes", maxRecord)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return rec, err
	}
}

func (t *Transcript) readHeader(rec []byte) error {
	var h fileHeader
	if err := json.Unmarshal(rec, &h); err != nil {
		return fmt.Errorf("not a mailtutor transcript: the header is not JSON (%v)", err)
	}
	if h.Format != FormatName {
		return fmt.Errorf("not a mailtutor transcript: format %q, want %q", h.Format, FormatName)
	}
	if h.Version < 1 || h.Version > FormatVersion {
		return fmt.Errorf("transcript format version %d is not supported (this mailtutor reads version %d)", h.Version, FormatVersion)
	}
	// A transcript file is anyone's text: every string that a screen or an
	// export shows is made visible (wire.Visible) as it is read, so replay,
	// a lesson's recording and the exports never pass on an escape sequence.
	v := wire.Visible
	t.Version, t.Title, t.Created = h.Version, v(h.Title), h.Created
	for _, s := range h.Sessions {
		info := SessionInfo{ID: wire.SessionID(v(s.ID)), Proto: wire.Proto(v(s.Proto)), Role: wire.Role(v(s.Role)), Peer: v(s.Peer)}
		if s.Opened != nil {
			info.Opened = *s.Opened
		}
		if s.Closed != nil {
			info.Closed = *s.Closed
		}
		t.Sessions = append(t.Sessions, info)
	}
	return nil
}

func parseLine(rec []byte) (Line, error) {
	var j lineJSON
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return Line{}, fmt.Errorf("invalid JSON: %v", err)
	}
	dir, ok := parseDir(j.Dir)
	if !ok {
		return Line{}, fmt.Errorf("unknown direction %q (want C, S or *)", j.Dir)
	}
	kind, ok := parseKind(j.Kind)
	if !ok {
		return Line{}, fmt.Errorf("unknown kind %q", j.Kind)
	}
	// Every string is shown somewhere (see readHeader); Raw stays the bytes
	// that crossed the wire, and only Detail, Markdown, keeps its lines.
	v := wire.Visible
	l := Line{
		Seq: j.Seq, Session: wire.SessionID(v(j.Session)), Proto: wire.Proto(v(j.Proto)), Role: wire.Role(v(j.Role)),
		Dir: dir, Kind: kind, Time: j.Time, Text: v(j.Text), Encrypted: j.Encrypted, Secret: j.Secret,
		Verb: v(j.Verb), Tag: v(j.Tag), Code: v(j.Code), Enhanced: v(j.Enhanced), RespCode: v(j.RespCode), State: v(j.State),
		Note: v(j.Note), Detail: wire.VisibleLines(j.Detail), RFC: v(j.RFC), Level: parseLevel(j.Level), Complete: j.Complete, Answers: v(j.Answers), OK: j.OK, Unknown: j.Unknown,
	}
	switch {
	case j.Raw != nil:
		l.Raw = []byte(*j.Raw)
	case j.RawBase64 != nil:
		l.Raw = j.RawBase64
	}
	return l, nil
}

func parseDir(s string) (wire.Dir, bool) {
	for _, d := range []wire.Dir{wire.FromClient, wire.FromServer, wire.Meta} {
		if d.String() == s {
			return d, true
		}
	}
	return 0, false
}

func parseKind(s string) (wire.Kind, bool) {
	for k := wire.Line; k <= wire.Discarded; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}
