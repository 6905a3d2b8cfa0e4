package transcripts

// storeChunk is how many lines one chunk of a lineStore holds.
const storeChunk = 4096

// lineStore keeps a recorder's lines in chunks of storeChunk. A Line is a
// few hundred bytes, and one flat slice of a hundred thousand of them would
// be copied whole each time append grew it and each time the oldest went,
// and rescanned by the garbage collector after each copy: in watch's
// fifty-program run that was a sixth of a core. Chunks never move; letting
// the oldest lines go frees whole chunks.
type lineStore struct {
	chunks [][]Line // every chunk full but the last
	skip   int      // lines let go at the front of chunks[0]
	n      int      // lines kept
}

func (s *lineStore) len() int { return s.n }

func (s *lineStore) add(l Line) {
	if k := len(s.chunks); k == 0 || len(s.chunks[k-1]) == storeChunk {
		s.chunks = append(s.chunks, make([]Line, 0, storeChunk))
	}
	last := &s.chunks[len(s.chunks)-1]
	*last = append(*last, l)
	s.n++
}

// at returns the i-th line kept, from 0.
func (s *lineStore) at(i int) Line {
	i += s.skip
	return s.chunks[i/storeChunk][i%storeChunk]
}

// dropFront lets the n oldest lines go.
func (s *lineStore) dropFront(n int) {
	n = min(n, s.n)
	s.n -= n
	for n > 0 {
		first := s.chunks[0]
		k := min(n, len(first)-s.skip)
		clear(first[s.skip : s.skip+k]) // their strings can be freed
		s.skip += k
		n -= k
		if s.skip == storeChunk {
			s.chunks[0] = nil
			s.chunks = s.chunks[1:]
			s.skip = 0
		}
	}
}

// appendTo appends every line kept to dst, oldest first.
func (s *lineStore) appendTo(dst []Line) []Line {
	dst = growLines(dst, s.n)
	for i, c := range s.chunks {
		if i == 0 {
			c = c[s.skip:]
		}
		dst = append(dst, c...)
	}
	return dst
}

func growLines(dst []Line, n int) []Line {
	if cap(dst)-len(dst) < n {
		grown := make([]Line, len(dst), len(dst)+n)
		copy(grown, dst)
		return grown
	}
	return dst
}
