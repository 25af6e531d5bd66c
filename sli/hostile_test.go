package sli_test

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/nines-slo/nines/sli"
)

// hostileState writes a version-2 ratio state by hand: totals, present,
// and one cell of the given start and width holding good events.
func hostileState(start, width int64, good uint64) []byte {
	b := []byte{2}
	for _, v := range []uint64{good, 0, 0, 0, 0, 0, 0, 0} {
		b = binary.AppendUvarint(b, v)
	}
	b = binary.AppendVarint(b, start)
	b = binary.AppendUvarint(b, 1)
	b = append(b, 1)
	b = binary.AppendVarint(b, start)
	b = binary.AppendUvarint(b, uint64(width))
	b = binary.AppendUvarint(b, good)
	b = binary.AppendUvarint(b, 0)
	return append(b, 0)
}

// TestHostileStates adds checksummed-looking states that declare absurd
// widths, times and counts: each is refused or lands whole in one cell,
// at a cost that does not grow with what it declares.
func TestHostileStates(t *testing.T) {
	now := t0.Add(50 * 24 * time.Hour)
	for _, tt := range []struct {
		name         string
		start, width int64
		good         uint64
		inWindow     bool
	}{
		{"190 years wide, ending now", now.UnixNano() - int64(190*365*24*time.Hour), int64(190 * 365 * 24 * time.Hour), 1000, false},
		{"190 years wide, starting now", now.UnixNano(), int64(190 * 365 * 24 * time.Hour), 1000, true},
		{"one nanosecond wide", now.UnixNano() - int64(time.Hour), 1, 1000, true},
		{"in 2200", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano(), int64(time.Minute), 1000, true},
		{"huge count", now.UnixNano() - int64(time.Hour), int64(time.Minute), 1 << 62, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := sli.DecodeState(hostileState(tt.start, tt.width, tt.good))
			if err != nil {
				t.Fatal(err)
			}
			clock := newFakeClock(now)
			costly, _ := sli.NewRatio(sli.WithClock(clock.Now))
			if allocs := testing.AllocsPerRun(20, func() { costly.Add(st) }); allocs > 20 {
				t.Errorf("Add allocates %v times", allocs)
			}
			r, _ := sli.NewRatio(sli.WithClock(clock.Now))
			if err := r.Add(st); err != nil {
				t.Fatal(err)
			}
			c, _ := r.Counts(30 * 24 * time.Hour)
			tot := r.Totals()
			if got := uint64(c.Valid) + tot.OutOfRange; got != tt.good {
				t.Errorf("%v in the window and %d out of range, want %v events", c.Valid, tot.OutOfRange, tt.good)
			}
			if tt.inWindow != (c.Valid > 0) {
				t.Errorf("window holds %v events, want them in it: %v", c.Valid, tt.inWindow)
			}
		})
	}
	// A count beyond 2^64 (an overlong varint) is refused.
	b := hostileState(0, int64(time.Minute), 1)
	b = append(b[:len(b)-3], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0)
	if _, err := sli.DecodeState(b); !errors.Is(err, sli.ErrCorruptState) {
		t.Errorf("an overlong varint: %v, want ErrCorruptState", err)
	}
}

// TestDecodeStateMemory decodes a latency SLI's state of 40 days of
// traffic: the decoded state takes no more than three times its encoding,
// and restoring it no more than a few times more.
func TestDecodeStateMemory(t *testing.T) {
	now := time.Date(2026, 11, 19, 15, 4, 7, 0, time.UTC)
	l, _ := replica(t, 9, now)
	for _, data := range [][]byte{l.State().Encode()} {
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		st, err := sli.DecodeState(data)
		runtime.ReadMemStats(&b)
		if err != nil {
			t.Fatal(err)
		}
		if n := b.TotalAlloc - a.TotalAlloc; n > 3*uint64(len(data)) {
			t.Errorf("decoding %d bytes allocated %d", len(data), n)
		}
		runtime.KeepAlive(st)
	}
}

// TestMergeOutOfOrder merges states whose cells are out of order (a state
// made by hand): the merge sorts them, and nothing is lost.
func TestMergeOutOfOrder(t *testing.T) {
	now := t0.Add(50 * 24 * time.Hour)
	b := []byte{2}
	for _, v := range []uint64{3, 0, 0, 0, 0, 0, 0, 0} {
		b = binary.AppendUvarint(b, v)
	}
	b = binary.AppendVarint(b, now.UnixNano())
	b = binary.AppendUvarint(b, 2) // two cells, in two runs, the later first
	for _, c := range []struct{ at time.Time }{{now.Add(-time.Minute)}, {now.Add(-time.Hour)}} {
		b = binary.AppendUvarint(b, 1)
		b = binary.AppendVarint(b, c.at.UnixNano())
		b = binary.AppendUvarint(b, uint64(time.Minute))
		b = binary.AppendUvarint(b, 1)
		b = binary.AppendUvarint(b, 0)
	}
	b = append(b, 0)
	st, err := sli.DecodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sli.MergeStates(st, st)
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(now)
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	if err := r.Add(m); err != nil {
		t.Fatal(err)
	}
	if c, _ := r.Counts(2 * time.Hour); c.Valid != 4 {
		t.Errorf("merged out-of-order cells count %v, want 4", c.Valid)
	}
	if c, _ := r.Counts(10 * time.Minute); c.Valid != 2 {
		t.Errorf("the last 10 minutes count %v, want 2", c.Valid)
	}
}

// TestVersion1OverflowingRun decodes a version-1 state whose two cells
// would make a run past 2^63: its encoding decodes again, and a merge of
// states whose counts pass 2^64 still encodes to a state that decodes.
func TestVersion1OverflowingRun(t *testing.T) {
	b := []byte{1}
	for _, v := range []uint64{2, 0, 0, 0, 0, 0, 0} {
		b = binary.AppendUvarint(b, v)
	}
	b = binary.AppendUvarint(b, 2)
	for _, start := range []int64{1 << 62, -1 << 63} {
		b = append(b, 1)
		b = binary.AppendVarint(b, start)
		b = binary.AppendUvarint(b, 1<<62)
		b = binary.AppendUvarint(b, 1)
		b = binary.AppendUvarint(b, 0)
	}
	b = append(b, 0)
	st, err := sli.DecodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sli.DecodeState(st.Encode()); err != nil {
		t.Errorf("re-encoding an accepted state: %v", err)
	}
	big, err := sli.DecodeState(hostileState(0, int64(time.Minute), 1<<63))
	if err != nil {
		t.Fatal(err)
	}
	m, err := sli.MergeStates(big, big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sli.DecodeState(m.Encode()); err != nil {
		t.Errorf("a merge past 2^64 encodes to bytes that do not decode: %v", err)
	}
}
