package transcripts

// Player steps through a transcript line by line, forward and back: the
// TUI's replay screen. It starts before the first line.
type Player struct {
	lines []Line
	pos   int // index of the current line; -1 before the first
}

// NewPlayer returns a player over t's lines, positioned before the first.
func NewPlayer(t *Transcript) *Player {
	p := &Player{pos: -1}
	if t != nil {
		p.lines = t.Lines
	}
	return p
}

// Len is the number of lines.
func (p *Player) Len() int { return len(p.lines) }

// Pos is the index of the current line, -1 before the first.
func (p *Player) Pos() int { return p.pos }

// Current returns the current line; ok is false before the first.
func (p *Player) Current() (Line, bool) {
	if p.pos < 0 || p.pos >= len(p.lines) {
		return Line{}, false
	}
	return p.lines[p.pos], true
}

// Next moves one line forward; ok is false (and nothing moves) at the end.
func (p *Player) Next() (Line, bool) {
	if p.pos+1 >= len(p.lines) {
		return Line{}, false
	}
	p.pos++
	return p.lines[p.pos], true
}

// Prev moves one line back; ok is false when it reaches before the first line.
func (p *Player) Prev() (Line, bool) {
	if p.pos < 0 {
		return Line{}, false
	}
	p.pos--
	return p.Current()
}

// Seek moves to line i, clamped to [-1, Len()-1] (-1: before the first).
func (p *Player) Seek(i int) {
	p.pos = max(-1, min(i, len(p.lines)-1))
}

// Shown returns the lines up to and including the current one: what the
// replay screen displays.
func (p *Player) Shown() []Line {
	return p.lines[:p.pos+1]
}
