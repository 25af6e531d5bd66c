package sli_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/sli"
)

func TestClassifyStatus(t *testing.T) {
	tests := []struct {
		codes []int
		want  sli.Outcome
	}{
		{[]int{200, 201, 204, 299}, sli.Good},
		{[]int{301, 302, 304, 399}, sli.Good},
		{[]int{400, 401, 404, 429, 499}, sli.Good},
		{[]int{101}, sli.Good},
		{[]int{500, 502, 503, 504, 599}, sli.Bad},
		{[]int{0, -1, 99, 600, 999}, sli.Invalid},
	}
	for _, tt := range tests {
		for _, code := range tt.codes {
			if got := sli.ClassifyStatus(code); got != tt.want {
				t.Errorf("ClassifyStatus(%d) = %v, want %v", code, got, tt.want)
			}
		}
	}
}

// TestAvailabilityRatio records the docs/concepts.md availability SLI: 2xx, 3xx
// and 4xx responses are good, 5xx bad.
func TestAvailabilityRatio(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[int]int{200: 9000, 304: 500, 404: 450, 429: 40, 500: 7, 503: 3}
	for code, n := range statuses {
		for range n {
			r.Record(sli.ClassifyStatus(code))
		}
	}
	got, err := r.Counts(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sli.Counts{Good: 9990, Valid: 10000}, got); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	if ratio, _ := got.Ratio(); ratio != 0.999 {
		t.Errorf("Ratio() = %v, want 0.999", ratio)
	}
}

func TestRatioOutcomes(t *testing.T) {
	clock := newFakeClock(t0)
	r, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	r.Record(sli.Good)
	r.Record(sli.Good)
	r.Record(sli.Bad)
	r.Record(sli.Invalid)
	r.Record(sli.Outcome(0))  // forgotten classification
	r.Record(sli.Outcome(42)) // garbage
	got, err := r.Counts(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sli.Counts{Good: 2, Valid: 3}, got); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	want := sli.Totals{Good: 2, Bad: 1, Invalid: 3, Unknown: 2}
	if diff := cmp.Diff(want, r.Totals()); diff != "" {
		t.Errorf("Totals (-want +got):\n%s", diff)
	}
}

func TestCountsNoData(t *testing.T) {
	r, err := sli.NewRatio()
	if err != nil {
		t.Fatal(err)
	}
	r.Record(sli.Invalid)
	c, err := r.Counts(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ratio(); !errors.Is(err, sli.ErrNoData) {
		t.Errorf("Ratio() of %+v: error = %v, want ErrNoData", c, err)
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[sli.Outcome]string{sli.Good: "good", sli.Bad: "bad", sli.Invalid: "invalid", 0: "Outcome(0)"} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", o, got, want)
		}
	}
}
