package sli_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/internal/heap"
	"github.com/nines-slo/nines/sli"
)

// bucketModel computes, independently of the implementation, which events a
// window counts under the documented rules: fine buckets over FineSpan
// before the current bucket, coarse buckets beyond, every bucket that
// overlaps the window counted whole. It assumes every fine bucket up to the
// current one received an event, so that the fine ring ends right before
// the current bucket.
type bucketModel struct {
	st    sli.Storage
	times []time.Time // of the events, oldest first
	bad   []bool
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (m *bucketModel) counts(now, t time.Time, w time.Duration) sli.Counts {
	fine, ratio := int64(m.st.Fine), int64(m.st.Coarse/m.st.Fine)
	nc := int64((m.st.Retention-m.st.FineSpan+m.st.Coarse-1)/m.st.Coarse) + 2
	hot := floorDiv(now.UnixNano(), fine)
	fineStart := hot - int64(m.st.FineSpan/m.st.Fine)
	coarseHead := floorDiv(fineStart-1, ratio)
	lo, hi := floorDiv(t.Add(-w).UnixNano(), fine), floorDiv(t.UnixNano(), fine)
	var c sli.Counts
	for k, et := range m.times {
		i := floorDiv(et.UnixNano(), fine)
		var in bool
		if i >= fineStart {
			in = lo <= i && i <= hi
		} else {
			j := floorDiv(i, ratio)
			in = lo < fineStart && j > coarseHead-nc &&
				floorDiv(lo, ratio) <= j && j <= floorDiv(min(hi, fineStart-1), ratio)
		}
		if in {
			c.Valid++
			if !m.bad[k] {
				c.Good++
			}
		}
	}
	return c
}

// TestWindowsMatchBucketModel records an event every 10 seconds for 40 days
// and checks windows from 5 minutes to 35 days, now and in the past,
// against the bucket model: exact to the bucket, old data downsampled to
// hours, data beyond the retention gone.
func TestWindowsMatchBucketModel(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	m := &bucketModel{st: r.Storage()}
	const step = 10 * time.Second
	n := int(40 * 24 * time.Hour / step)
	for k := range n {
		bad := k%7 == 0
		m.times = append(m.times, clock.Now())
		m.bad = append(m.bad, bad)
		if bad {
			r.Record(sli.Bad)
		} else {
			r.Record(sli.Good)
		}
		if k < n-1 {
			clock.Advance(step)
		}
	}
	now := clock.Now()
	windows := []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour, 7 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 30 * 24 * time.Hour, 35 * 24 * time.Hour}
	ends := []time.Duration{0, 90 * time.Second, 3 * time.Hour, 7*time.Hour + 20*time.Minute, 10 * 24 * time.Hour}
	for _, back := range ends {
		for _, w := range windows {
			at := now.Add(-back)
			t.Run(fmt.Sprintf("%v back/%v", back, w), func(t *testing.T) {
				got, err := r.CountsAt(at, w)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(m.counts(now, at, w), got); diff != "" {
					t.Errorf("CountsAt (-model +got):\n%s", diff)
				}
			})
		}
	}
	// Windows within the fine span are exact to the minute: at least the
	// window, at most one bucket more.
	for _, w := range []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour} {
		got, _ := r.Counts(w)
		lo, hi := float64(w/step), float64((w+time.Minute)/step)
		if got.Valid < lo || got.Valid > hi {
			t.Errorf("Counts(%v).Valid = %v, want within [%v, %v]", w, got.Valid, lo, hi)
		}
	}
	// Everything within 35 days is retained, nothing older than 35 days and
	// two hours (the coarse rounding at both ends).
	got, _ := r.Counts(35 * 24 * time.Hour)
	if lo, hi := float64(35*24*time.Hour/step), float64((35*24*time.Hour+2*time.Hour)/step); got.Valid < lo || got.Valid > hi {
		t.Errorf("Counts(35d).Valid = %v, want within [%v, %v]", got.Valid, lo, hi)
	}
	if tot := r.Totals(); tot.Good+tot.Bad != uint64(n) {
		t.Errorf("Totals = %+v, want %d valid events", tot, n)
	}
}

func TestStorageDefaultsAndValidation(t *testing.T) {
	r, err := sli.NewRatio()
	if err != nil {
		t.Fatal(err)
	}
	want := sli.Storage{Fine: time.Minute, FineSpan: 6 * time.Hour, Coarse: time.Hour, Retention: 35 * 24 * time.Hour}
	if diff := cmp.Diff(want, r.Storage()); diff != "" {
		t.Errorf("default Storage (-want +got):\n%s", diff)
	}
	long, err := sli.NewRatio(sli.WithStorage(sli.Storage{Retention: 400 * 24 * time.Hour}))
	if err != nil {
		t.Fatalf("400-day retention: %v", err)
	}
	if _, err := long.Counts(400 * 24 * time.Hour); err != nil {
		t.Errorf("400-day window: %v", err)
	}

	bad := []struct {
		s     sli.Storage
		field string
	}{
		{sli.Storage{Fine: -time.Minute}, "Fine"},
		{sli.Storage{Fine: time.Millisecond}, "Fine"},
		{sli.Storage{FineSpan: -time.Hour}, "FineSpan"},
		{sli.Storage{FineSpan: 90 * time.Second}, "FineSpan"},
		{sli.Storage{Coarse: 90 * time.Second}, "Coarse"},
		{sli.Storage{Coarse: -time.Hour}, "Coarse"},
		{sli.Storage{Retention: time.Hour}, "Retention"},
		{sli.Storage{Retention: -time.Hour}, "Retention"},
		{sli.Storage{Fine: time.Second, FineSpan: 400 * 24 * time.Hour}, "FineSpan"},
		{sli.Storage{Fine: time.Second, Coarse: time.Second, Retention: 400 * 24 * time.Hour}, "Retention"},
	}
	for _, tt := range bad {
		_, err := sli.NewRatio(sli.WithStorage(tt.s))
		if !errors.Is(err, sli.ErrInvalidStorage) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("NewRatio(WithStorage(%+v)) error = %v, want ErrInvalidStorage naming %s", tt.s, err, tt.field)
		}
	}
}

func TestWindowValidation(t *testing.T) {
	r, err := sli.NewRatio()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []time.Duration{0, -time.Minute, 36 * 24 * time.Hour} {
		if _, err := r.Counts(w); !errors.Is(err, sli.ErrInvalidWindow) || !strings.Contains(err.Error(), "window") {
			t.Errorf("Counts(%v) error = %v, want ErrInvalidWindow naming the window", w, err)
		}
	}
	if _, err := r.CountsAt(time.Time{}, time.Hour); !errors.Is(err, sli.ErrInvalidWindow) {
		t.Errorf("CountsAt(zero time) error = %v, want ErrInvalidWindow", err)
	}
}

// TestMemoryPerSLI reports and bounds the memory of one SLI retaining 35
// days of counts.
func TestMemoryPerSLI(t *testing.T) {
	per, r, err := heap.PerValue(200, func() (*sli.Ratio, error) { return sli.NewRatio() })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one ratio SLI retaining %v: %d bytes (%.1f KiB)", r.Storage().Retention, per, float64(per)/1024)
	if per > 64<<10 {
		t.Errorf("one SLI takes %d bytes, want ≤ 64 KiB", per)
	}
}
