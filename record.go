package main

import (
	"fmt"
	"os"
	"time"

	"github.com/mailtutor/mailtutor/simulator"
	"github.com/mailtutor/mailtutor/simulator/wire"
	"github.com/mailtutor/mailtutor/transcripts"
)

const (
	// recordBacklog and recordBacklogBytes bound what `serve --transcript`
	// holds while its writer catches up: a recording must never slow the
	// mail world or take its memory. Lines past them are recorded as a
	// count (a Dropped notice in the transcript), never silently; at a
	// learner's or a class's pace nothing is dropped.
	recordBacklog      = 1 << 16
	recordBacklogBytes = 64 << 20
)

// startRecording writes every line sim serves to path as a transcript
// (JSON Lines, secrets masked), as it goes. stop waits until the last
// event is written, after sim.Close has ended the subscription, and closes
// the file.
func startRecording(sim *simulator.Simulator, path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	tw, err := transcripts.NewTranscriptWriter(f, transcripts.TranscriptWriterOptions{
		Title: "mailtutor serve, " + time.Now().Format("2006-01-02 15:04"),
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	sub := sim.Subscribe(wire.SubscribeOptions{Buffer: recordBacklog, MaxBytes: recordBacklogBytes, Batches: true})
	done := make(chan error, 1)
	go func() {
		var werr error
		for batch := range sub.Batches() {
			for _, e := range batch {
				if werr == nil {
					werr = tw.Event(e)
				}
			}
			// Flushed after every batch: the file is a live record (tail
			// -f it, or export it while serve runs) and a crash loses
			// nothing already served.
			if werr == nil {
				werr = tw.Flush()
			}
		}
		done <- werr
	}()
	return func() error {
		sim.Close() // ends every session, then the subscription
		werr := <-done
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("--transcript %s: %w", path, werr)
		}
		return nil
	}, nil
}
