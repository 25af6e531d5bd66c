package bucket

import (
	"testing"
	"time"
)

func TestFloorDivAndSlot(t *testing.T) {
	for _, tt := range []struct{ a, b, div, slot int64 }{
		{0, 60, 0, 0}, {59, 60, 0, 59}, {60, 60, 1, 0}, {-1, 60, -1, 59}, {-60, 60, -1, 0}, {-61, 60, -2, 59},
	} {
		if got := FloorDiv(tt.a, tt.b); got != tt.div {
			t.Errorf("FloorDiv(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.div)
		}
		if got := Slot(tt.a, tt.b); got != tt.slot {
			t.Errorf("Slot(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.slot)
		}
	}
}

func TestIndex(t *testing.T) {
	if i, ok := Index(time.Unix(125, 0), int64(time.Minute)); !ok || i != 2 {
		t.Errorf("Index(125s, 1m) = %d, %v; want 2, true", i, ok)
	}
	if i, ok := Index(time.Unix(-1, 0), int64(time.Minute)); !ok || i != -1 {
		t.Errorf("Index(-1s, 1m) = %d, %v; want -1, true", i, ok)
	}
	for _, bad := range []time.Time{{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, ok := Index(bad, int64(time.Minute)); ok {
			t.Errorf("Index(%v) ok, want false outside 1678–2262", bad)
		}
	}
}

func TestForwardAndPresent(t *testing.T) {
	const w = int64(time.Minute)
	now := time.Unix(600, 0) // bucket 10
	for _, tt := range []struct {
		i, cur, to int64
		future     bool
	}{
		{10, 9, 10, false}, {11, 9, 10, true}, {1000, 9, 10, true}, {12, 11, 11, true}, {10, 10, 10, false},
	} {
		to, future := Forward(tt.i, tt.cur, now, w)
		if to != tt.to || future != tt.future {
			t.Errorf("Forward(%d, %d) = %d, %v; want %d, %v", tt.i, tt.cur, to, future, tt.to, tt.future)
		}
	}
	if got := Present(now, 10, w); !got.Equal(now) {
		t.Errorf("Present with the clock in the current bucket = %v, want now", got)
	}
	if got := Present(now, 12, w); !got.Equal(time.Unix(720, 0)) {
		t.Errorf("Present with the clock behind the current bucket = %v, want its start", got)
	}
}
