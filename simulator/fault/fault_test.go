package fault

import "testing"

// On answers from the map whenever any fault is on, and without the lock
// when none is; switching a fault on twice or off twice counts once.
func TestOnFollowsEnable(t *testing.T) {
	s := NewSet()
	if s.On(Slow) {
		t.Fatal("a new set has slow on")
	}
	s.Enable(Slow, true)
	s.Enable(Slow, true)
	s.Enable(Greylist, true)
	if !s.On(Slow) || !s.On(Greylist) || s.On(DropConnection) {
		t.Fatalf("after enabling slow and greylist: active %v", s.Active())
	}
	s.Enable(Slow, false)
	if s.On(Slow) || !s.On(Greylist) {
		t.Fatalf("after disabling slow once: active %v", s.Active())
	}
	s.Enable(Greylist, false)
	s.Enable(Greylist, false)
	s.Enable(DropConnection, false)
	if n := s.count.Load(); n != 0 || len(s.Active()) != 0 {
		t.Fatalf("all off: count %d, active %v", n, s.Active())
	}
	s.Enable(DropConnection, true)
	if !s.On(DropConnection) {
		t.Fatal("drop-connection switched on again is not on")
	}
	var none *Set
	if none.On(Slow) {
		t.Fatal("a nil set has a fault on")
	}
}
