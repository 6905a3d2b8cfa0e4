package transcripts

import (
	"bufio"
	"fmt"
	"io"
)

// OpenTranscriptEach indexes a transcript file as OpenTranscript does and,
// in the same pass, calls fn with every line in file order (wire order)
// and the offset its record starts at: a reader that steps through a
// transcript of any size (the TUI's replay) keeps the offsets, not the
// lines, and reads a line again with LineAt when it shows it.
func OpenTranscriptEach(f io.ReadSeeker, fn func(off int64, l Line) error) (*TranscriptFile, error) {
	return openTranscript(f, fn)
}

// LineAt reads the line whose record starts at off (an offset EachLine
// gave).
func (tf *TranscriptFile) LineAt(off int64) (Line, error) {
	if _, err := tf.f.Seek(off, io.SeekStart); err != nil {
		return Line{}, err
	}
	rec, err := readRecord(bufio.NewReader(tf.f))
	if err != nil && err != io.EOF {
		return Line{}, fmt.Errorf("transcript offset %d: %w", off, err)
	}
	l, err := parseLine(rec)
	if err != nil {
		return Line{}, fmt.Errorf("transcript offset %d: %w", off, err)
	}
	return l, nil
}
