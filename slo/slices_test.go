package slo_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// minutes records two days of 1-minute slices of 50 requests ending at
// the clock's time, the last bad of them each with 3 slow requests (p99
// over the threshold).
func minutes(s *sli.LatencySlices, clock *ninestest.Clock, bad int) {
	start := clock.Now().Add(-2 * day)
	for m := range 2 * 24 * 60 {
		for k := range 50 {
			d := 40 * time.Millisecond
			if m >= 2*24*60-bad && k < 3 {
				d = time.Second
			}
			s.RecordAt(start.Add(time.Duration(m)*time.Minute+time.Duration(k)*time.Second), d)
		}
	}
}

// TestTimeSliceObjective: an objective over p99 minutes budgets, burns and
// alerts on slices, reports its events and traffic, and survives a
// snapshot.
func TestTimeSliceObjective(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(2 * day))
	newObjective := func() (*slo.Objective, *sli.LatencySlices) {
		s, err := sli.NewLatencySlices(0.99, 300*time.Millisecond, sli.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		return objective(t, slo.Config{Name: "p99-minutes", SLI: s, Target: 0.99}, clock), s
	}
	o, s := newObjective()
	minutes(s, clock, 20)
	st, err := o.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Good != 2860 || st.Valid != 2880 {
		t.Errorf("slices %v good of %v, want 2860 of 2880", st.Good, st.Valid)
	}
	if want := (sli.Counts{Good: 2880*50 - 60, Valid: 2880 * 50}); st.Events != want {
		t.Errorf("Events %+v, want %+v", st.Events, want)
	}
	if want := 2880 * 50 / (30 * day).Seconds(); st.Traffic != want { // over the window, as for events
		t.Errorf("Traffic %v, want %v requests a second", st.Traffic, want)
	}
	if st.Slicing != s.Slicing() {
		t.Errorf("Slicing %+v", st.Slicing)
	}
	// The budget is 1% of the slices: 28.8 of 2880, 20 spent.
	if r, _ := st.Remaining(); r < 0.3 || r > 0.31 {
		t.Errorf("remaining %v, want 1 − 20/28.8", r)
	}
	var page *slo.Alert
	for i := range st.Alerts {
		if st.Alerts[i].Rule.Name == "page-1h" {
			page = &st.Alerts[i]
		}
	}
	if page == nil || !page.Firing || page.Long.Valid != 60 || page.Long.Good != 40 || page.Short.Valid != 5 || page.Short.Good != 0 {
		t.Errorf("page-1h %+v: want firing on 20 bad of 60 slices and 5 of 5", page)
	}
	if st.Attainment != slo.AtRisk {
		t.Errorf("attainment %v", st.Attainment)
	}

	// A snapshot restores every slice's counts.
	var buf bytes.Buffer
	reg, _ := slo.NewRegistry(o)
	if err := reg.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	o2, _ := newObjective()
	reg2, _ := slo.NewRegistry(o2)
	if _, err := reg2.Restore(&buf); err != nil {
		t.Fatal(err)
	}
	st2, err := o2.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st2.Good != st.Good || st2.Valid != st.Valid || st2.Events != st.Events || st2.Attainment != st.Attainment {
		t.Errorf("restored: %v of %v slices, %+v, %v; before: %v of %v, %+v, %v", st2.Good, st2.Valid, st2.Events, st2.Attainment, st.Good, st.Valid, st.Events, st.Attainment)
	}
	// A ratio objective's snapshot does not fit it: refused, by name.
	r := ratio(t, clock)
	r.Record(sli.Good)
	reg3, _ := slo.NewRegistry(objective(t, slo.Config{Name: "p99-minutes", SLI: r, Target: 0.99}, clock))
	buf.Reset()
	if err := reg3.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	o4, _ := newObjective()
	reg4, _ := slo.NewRegistry(o4)
	if _, err := reg4.Restore(&buf); !errors.Is(err, slo.ErrSnapshotMismatch) {
		t.Errorf("a ratio state into slices: %v, want ErrSnapshotMismatch", err)
	}
}

// TestTimeSliceWindows: windows and alert rules that slices cannot tile
// are refused, naming the field; default rules too short are left out.
func TestTimeSliceWindows(t *testing.T) {
	clock := ninestest.NewClock(t0)
	slices := func(d time.Duration) *sli.RatioSlices {
		s, err := sli.NewRatioSlices(0.95, sli.WithClock(clock.Now), sli.WithSlice(d))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    slo.Config
	}{
		{"rolling 90s of 1m slices", slo.Config{SLI: slices(time.Minute), Window: slo.Rolling(90 * time.Second)}},
		{"rolling 25h5m of 10m slices", slo.Config{SLI: slices(10 * time.Minute), Window: slo.Rolling(25*time.Hour + 5*time.Minute)}},
		{"calendar in Kolkata with 1h slices", slo.Config{SLI: slices(time.Hour), Window: slo.Calendar(slo.Month, kolkata)}},
		{"an alert shorter than a slice", slo.Config{SLI: slices(10 * time.Minute), Alerts: []slo.AlertRule{
			{Name: "fast", Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, BudgetFraction: 0.02}}}},
	} {
		tc.c.Name, tc.c.Target = "x", 0.99
		if _, err := slo.New(tc.c, slo.WithClock(clock.Now)); !errors.Is(err, slo.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", tc.name, err)
		}
	}
	for _, c := range []slo.Config{
		{SLI: slices(time.Hour), Window: slo.Calendar(slo.Month, time.UTC)},
		{SLI: slices(15 * time.Minute), Window: slo.Calendar(slo.Week, kolkata)},
	} {
		c.Name, c.Target = "x", 0.99
		if _, err := slo.New(c, slo.WithClock(clock.Now)); err != nil {
			t.Errorf("%v slices over %v: %v", c.SLI.(*sli.RatioSlices).Slicing().Length, c.Window, err)
		}
	}
	o, err := slo.New(slo.Config{Name: "x", SLI: slices(10 * time.Minute), Target: 0.99}, slo.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range o.Alerts() {
		names = append(names, r.Name)
	}
	if len(names) != 2 || names[0] != "page-6h" || names[1] != "ticket-3d" {
		t.Errorf("default rules over 10-minute slices: %v, want page-6h and ticket-3d", names)
	}
}
