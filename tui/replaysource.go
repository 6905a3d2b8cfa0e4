package tui

import (
	"errors"
	"os"
	"strings"

	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

// replayData is a transcript ready to replay: which lane (session) each
// line is in, the lanes, and a way to read any line. Read from a file, it
// keeps an offset per line, not the lines: a transcript of any size
// replays in the memory of its index and the lines on screen.
type replayData struct {
	laneOf []int32    // each line's lane, in wire order
	lanes  []laneSpec // the sessions, in order of first appearance
	read   func(i int) (item, error)
	close  func() error // releases the file; nil for lines in memory
}

// laneSpec is a session as the replay lanes show it.
type laneSpec struct {
	id    wire.SessionID
	role  wire.Role // the listener it reached, as its first line says
	label transcripts.SessionLabel
}

func (d replayData) len() int { return len(d.laneOf) }

// memoryReplay replays lines held in memory (a test, a live session).
func memoryReplay(items []item, labels []transcripts.SessionLabel) replayData {
	d := replayData{read: func(i int) (item, error) { return items[i], nil }}
	byID := map[wire.SessionID]int32{}
	for _, it := range items {
		li, ok := byID[it.Session]
		if !ok {
			li = int32(len(d.lanes))
			byID[it.Session] = li
			lb := transcripts.SessionLabel{ID: string(it.Session), Proto: strings.ToUpper(string(it.Proto)), TLS: "not recorded"}
			for _, l := range labels {
				if l.ID == string(it.Session) {
					lb = l
				}
			}
			if lb.ID == "" {
				lb.ID = "(no session)"
			}
			d.lanes = append(d.lanes, laneSpec{id: it.Session, role: it.Role, label: lb})
		}
		d.laneOf = append(d.laneOf, li)
	}
	return d
}

// readTranscript indexes a transcript file for replay in one pass
// (transcripts.OpenTranscriptEach): its sessions, each line's offset and
// lane, the sessions' labels; lines are read again from the file when
// shown. The file stays open until the replay closes it. A corrupt
// file gives the reader's message (it names the file line) and changes
// nothing.
func readTranscript(path string) (replayData, error) {
	if path == "" {
		return replayData{}, errors.New("no file name given")
	}
	f, err := os.Open(path)
	if err != nil {
		return replayData{}, err
	}
	var d replayData
	var offs []int64
	var labelers []*transcripts.Labeler
	byID := map[wire.SessionID]int32{}
	tf, err := transcripts.OpenTranscriptEach(f, func(off int64, l transcripts.Line) error {
		li, ok := byID[l.Session]
		if !ok {
			li = int32(len(d.lanes))
			byID[l.Session] = li
			d.lanes = append(d.lanes, laneSpec{id: l.Session, role: l.Role})
			labelers = append(labelers, transcripts.NewLabeler(transcripts.SessionInfo{ID: l.Session, Proto: l.Proto, Role: l.Role}))
		}
		labelers[li].Add(l)
		d.laneOf = append(d.laneOf, li)
		offs = append(offs, off)
		return nil
	})
	if err != nil {
		f.Close()
		return replayData{}, err
	}
	// The sessions as the whole file names them (a streamed transcript's
	// clients are on their first lines).
	infos := map[wire.SessionID]transcripts.SessionInfo{}
	for _, s := range tf.Sessions() {
		infos[s.ID] = s
	}
	for i, lb := range labelers {
		info, ok := infos[d.lanes[i].id]
		if !ok {
			info = transcripts.SessionInfo{ID: d.lanes[i].id}
		}
		d.lanes[i].label = lb.Label(info)
	}
	// The knowledge base's explanations repeat on every line of a kind:
	// the lines read again share one copy of each.
	details := map[string]string{}
	d.read = func(i int) (item, error) {
		l, err := tf.LineAt(offs[i])
		if err != nil {
			return item{}, err
		}
		it := itemFromLine(l)
		if d, ok := details[it.Detail]; ok {
			it.Detail = d
		} else if len(details) < 4096 {
			details[it.Detail] = it.Detail
		}
		return it, nil
	}
	d.close = f.Close
	return d, nil
}
