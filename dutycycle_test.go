package main

import (
	"testing"
	"time"
)

// A learner's burst prints at once; sustained work is held to the share.
func TestDutyCycle(t *testing.T) {
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	now := start
	d := newDutyCycle(0.05, 100*time.Millisecond, now)

	// A few small batches within the burst: no rest.
	for i := 0; i < 5; i++ {
		now = now.Add(2 * time.Millisecond)
		if rest := d.spend(2*time.Millisecond, now); rest != 0 {
			t.Fatalf("batch %d of a small burst rests %v", i, rest)
		}
	}

	// Sustained load: the worker always has a batch waiting, works 10 ms
	// at a time and rests as told. Over 60 s it works about 5% of the
	// time (plus the one burst).
	var worked time.Duration
	loadStart := now
	for now.Sub(loadStart) < time.Minute {
		now = now.Add(10 * time.Millisecond)
		worked += 10 * time.Millisecond
		now = now.Add(d.spend(10*time.Millisecond, now))
	}
	share := float64(worked) / float64(now.Sub(loadStart))
	if share > 0.055 || share < 0.045 {
		t.Errorf("under sustained load the printer worked %.3f of the time, want about 0.05", share)
	}

	// After a quiet minute the burst is back, but no more than the burst.
	now = now.Add(time.Minute)
	if rest := d.spend(100*time.Millisecond, now); rest != 0 {
		t.Errorf("a full burst after a quiet minute rests %v", rest)
	}
	now = now.Add(time.Millisecond)
	if rest := d.spend(10*time.Millisecond, now); rest < 150*time.Millisecond {
		t.Errorf("work beyond the burst rests only %v, want about 19 times the excess", rest)
	}
}
