package sli_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/nines-slo/nines/sli"
)

// FuzzDecodeState feeds arbitrary bytes to DecodeState: it must never panic,
// refuse with ErrCorruptState, and whatever it accepts must encode and
// decode back to the same bytes.
func FuzzDecodeState(f *testing.F) {
	clock := newFakeClock(t0)
	r, _ := sli.NewRatio(sli.WithClock(clock.Now))
	l, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	ts, _ := sli.NewLatencySlices(0.99, 100*time.Millisecond, sli.WithClock(clock.Now))
	for m := range 300 {
		r.Record(sli.Outcome(1 + m%2))
		l.Record(time.Duration(m) * time.Millisecond)
		ts.Record(time.Duration(m) * time.Millisecond)
		clock.Advance(time.Minute)
	}
	f.Add(r.State().Encode())
	f.Add(l.State().Encode())
	f.Add(ts.State().Encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := sli.DecodeState(data)
		if err != nil {
			if !errors.Is(err, sli.ErrCorruptState) {
				t.Fatalf("error %v is not ErrCorruptState", err)
			}
			return
		}
		enc := s.Encode()
		again, err := sli.DecodeState(enc)
		if err != nil {
			t.Fatalf("re-decoding an accepted state: %v", err)
		}
		if !bytes.Equal(again.Encode(), enc) {
			t.Fatal("state round trip is not stable")
		}
		// It can be added to a fresh SLI of its kind without panicking.
		fresh, _ := sli.NewLatency(time.Second, sli.WithClock(clock.Now))
		if _, latency := s.HistogramConfig(); latency {
			fresh.Add(s)
		} else if sl := s.Slice(); sl != 0 {
			sliced, _ := sli.NewRatioSlices(0.9, sli.WithClock(clock.Now), sli.WithSlice(sl))
			if err := sliced.Add(s); err != nil {
				t.Fatalf("a decoded slice state does not fit its slice length: %v", err)
			}
			sliced.Counts(30 * 24 * time.Hour)
		} else {
			ratio, _ := sli.NewRatio(sli.WithClock(clock.Now))
			ratio.Add(s)
		}
	})
}
