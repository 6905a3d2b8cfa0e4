package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mailtutor/mailtutor/simulator"
)

// transcriptDir is where ctrl+s saves: the option if set, else
// $XDG_STATE_HOME/mailtutor/transcripts (~/.local/state/mailtutor/transcripts),
// else the current directory.
func transcriptDir(opt string) string {
	if opt != "" {
		return opt
	}
	if d, err := simulator.StateDir(); err == nil {
		return filepath.Join(d, "transcripts")
	}
	return "."
}

// save writes every session of the workspace to a new transcript file, off
// the UI goroutine. The file is written whole under a temporary name and
// renamed, so a failure never leaves half a transcript behind.
func (ws *workspace) save() tea.Cmd {
	w, dir, box := ws.world, transcriptDir(ws.saveDir), ws.box
	return func() tea.Msg {
		path, err := saveTranscript(w, dir, time.Now())
		return savedMsg{box: box, path: path, err: err}
	}
}

func saveTranscript(w world, dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name := filepath.Join(dir, "mailtutor-"+now.Format("20060102-150405")+".jsonl")
	for i := 2; ; i++ {
		if _, err := os.Stat(name); os.IsNotExist(err) {
			break
		}
		name = filepath.Join(dir, fmt.Sprintf("mailtutor-%s-%d.jsonl", now.Format("20060102-150405"), i))
	}
	f, err := os.CreateTemp(dir, ".mailtutor-*.tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if err := w.SaveTranscript(f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	return name, nil
}
