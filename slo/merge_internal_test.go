package slo

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
)

// replicaSnapshot encodes a snapshot of n entries, each a day of traffic
// in a ratio SLI, as one replica of a fleet would write it.
func replicaSnapshot(tb testing.TB, n int, seed int) []byte {
	at := time.Date(2026, 11, 19, 15, 0, 0, 0, time.UTC)
	clock := ninestest.NewClock(at)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		tb.Fatal(err)
	}
	for m := range 24 * 60 {
		o := sli.Good
		if (m+seed)%97 == 0 {
			o = sli.Bad
		}
		r.RecordAt(at.Add(-time.Duration(m)*time.Minute), o)
	}
	st := r.State()
	s := &snapshot{at: at}
	for i := range n {
		s.entries = append(s.entries, entry{keys: []string{fmt.Sprintf("objective-%05d", i)}, state: st})
	}
	var buf bytes.Buffer
	if err := s.encode(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkMergeSnapshots merges two replicas' snapshots of 10,000 entries
// each.
func BenchmarkMergeSnapshots(b *testing.B) {
	x, y := replicaSnapshot(b, 10000, 0), replicaSnapshot(b, 10000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if err := MergeSnapshots(io.Discard, bytes.NewReader(x), bytes.NewReader(y)); err != nil {
			b.Fatal(err)
		}
	}
}
