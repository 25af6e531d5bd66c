package slo_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/budget"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func ratio(t testing.TB, clock *ninestest.Clock, opts ...sli.RatioOption) *sli.Ratio {
	t.Helper()
	r, err := sli.NewRatio(append([]sli.RatioOption{sli.WithClock(clock.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func objective(t testing.TB, c slo.Config, clock *ninestest.Clock, opts ...slo.Option) *slo.Objective {
	t.Helper()
	o, err := slo.New(c, append([]slo.Option{slo.WithClock(clock.Now), slo.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// steady records perHour events an hour, bad of them bad, both spread evenly
// over the hour, for hours hours ending at the clock's time.
func steady(r *sli.Ratio, clock *ninestest.Clock, hours, perHour, bad int) {
	start := clock.Now().Add(-time.Duration(hours) * time.Hour)
	step := time.Hour / time.Duration(perHour)
	for h := range hours {
		for k := range perHour {
			at := start.Add(time.Duration(h)*time.Hour + time.Duration(k)*step)
			if k*bad/perHour != (k+1)*bad/perHour {
				r.RecordAt(at, sli.Bad)
			} else {
				r.RecordAt(at, sli.Good)
			}
		}
	}
}

func TestNewRejects(t *testing.T) {
	clock := ninestest.NewClock(t0)
	r := ratio(t, clock)
	tests := []struct {
		name  string
		c     slo.Config
		field string
	}{
		{"no name", slo.Config{SLI: r, Target: 0.99}, "Name"},
		{"no SLI", slo.Config{Name: "a", Target: 0.99}, "SLI"},
		{"target zero", slo.Config{Name: "a", SLI: r}, "objective"},
		{"target one", slo.Config{Name: "a", SLI: r, Target: 1}, "objective"},
		{"target percent", slo.Config{Name: "a", SLI: r, Target: 99.9}, "objective"},
		{"target NaN", slo.Config{Name: "a", SLI: r, Target: math.NaN()}, "objective"},
		{"negative window", slo.Config{Name: "a", SLI: r, Target: 0.99, Window: slo.Rolling(-time.Hour)}, "Window"},
		{"bad period", slo.Config{Name: "a", SLI: r, Target: 0.99, Window: slo.Calendar(9, nil)}, "Window"},
		{"window beyond retention", slo.Config{Name: "a", SLI: r, Target: 0.99, Window: slo.Calendar(slo.Year, nil)}, "retain"},
		{"alert without name", slo.Config{Name: "a", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{{Severity: slo.Page, Long: time.Hour, Short: time.Minute, BudgetFraction: 0.02}}}, "Name"},
		{"alert windows reversed", slo.Config{Name: "a", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{{Name: "x", Severity: slo.Page, Long: time.Minute, Short: time.Hour, BudgetFraction: 0.02}}}, "Short"},
		{"alert fraction", slo.Config{Name: "a", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{{Name: "x", Severity: slo.Page, Long: time.Hour, Short: time.Minute, BudgetFraction: 2}}}, "BudgetFraction"},
		{"alert severity", slo.Config{Name: "a", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{{Name: "x", Long: time.Hour, Short: time.Minute, BudgetFraction: 0.02}}}, "Severity"},
		{"at risk", slo.Config{Name: "a", SLI: r, Target: 0.99, AtRisk: 1}, "AtRisk"},
		// Edges: a window too short to mean anything (or to name in a rule),
		// a calendar without a period, an alert whose numbers are not finite.
		{"window 1ns", slo.Config{Name: "a", SLI: r, Target: 0.99, Window: slo.Rolling(1)}, "MinWindow"},
		{"window under a minute", slo.Config{Name: "a", SLI: r, Target: 0.99, Window: slo.Rolling(59 * time.Second)}, "MinWindow"},
		{"window with milliseconds", slo.Config{Name: "a", SLI: r, Target: 0.99, Window: slo.Rolling(time.Hour + time.Millisecond)}, "whole number of seconds"},
		{"calendar without period", slo.Config{Name: "a", SLI: r, Target: 0.99, Window: slo.Calendar(0, nil)}, "calendar period"},
		{"alert short window", slo.Config{Name: "a", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{{Name: "x", Severity: slo.Page, Long: time.Hour, Short: time.Second, BudgetFraction: 0.02}}}, "Short"},
		{"alert window fraction of a second", slo.Config{Name: "a", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{{Name: "x", Severity: slo.Page, Long: time.Hour + 1, Short: time.Minute, BudgetFraction: 0.02}}}, "whole numbers of seconds"},
		{"alert threshold not finite", slo.Config{Name: "a", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{{Name: "x", Severity: slo.Page, Long: time.Hour, Short: time.Minute, BudgetFraction: 5e-324}}}, "finite"},
		// What an exporter could not carry: one would fail every export.
		{"name invalid UTF-8", slo.Config{Name: "a\xff", SLI: r, Target: 0.99}, "Name"},
		{"name control", slo.Config{Name: "a\x00", SLI: r, Target: 0.99}, "Name"},
		{"service newline", slo.Config{Name: "a", SLI: r, Target: 0.99, Metadata: slo.Metadata{Service: "shop\n"}}, "Metadata.Service"},
		{"owner C1 control", slo.Config{Name: "a", SLI: r, Target: 0.99, Metadata: slo.Metadata{Owner: "team\u0085"}}, "Metadata.Owner"},
		{"description invalid UTF-8", slo.Config{Name: "a", SLI: r, Target: 0.99, Metadata: slo.Metadata{Description: "\xc3"}}, "Metadata.Description"},
		{"runbook newline", slo.Config{Name: "a", SLI: r, Target: 0.99, Metadata: slo.Metadata{Runbook: "https://x/\n"}}, "Metadata.Runbook"},
		{"alert label name", slo.Config{Name: "a", SLI: r, Target: 0.99, AlertLabels: map[string]string{"team-name": "x"}}, "AlertLabels"},
		{"alert label reserved", slo.Config{Name: "a", SLI: r, Target: 0.99, AlertLabels: map[string]string{"severity": "low"}}, "AlertLabels"},
		{"alert label nines", slo.Config{Name: "a", SLI: r, Target: 0.99, AlertLabels: map[string]string{"nines_x": "y"}}, "AlertLabels"},
		{"alert label value", slo.Config{Name: "a", SLI: r, Target: 0.99, AlertLabels: map[string]string{"team": "a\nb"}}, "AlertLabels"},
		{"alert annotation reserved", slo.Config{Name: "a", SLI: r, Target: 0.99, AlertAnnotations: map[string]string{"runbook_url": "x"}}, "AlertAnnotations"},
		{"alert annotation value", slo.Config{Name: "a", SLI: r, Target: 0.99, AlertAnnotations: map[string]string{"dashboard": "\xff"}}, "AlertAnnotations"},
		{"alert name control", slo.Config{Name: "a", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{{Name: "page\t1h", Severity: slo.Page, Long: time.Hour, Short: time.Minute, BudgetFraction: 0.02}}}, "Alerts[0].Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := slo.New(tt.c, slo.WithClock(clock.Now))
			if !errors.Is(err, slo.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("New() error = %v, want ErrInvalidConfig naming %s", err, tt.field)
			}
		})
	}
	// Line breaks in a description are text, not a label.
	if _, err := slo.New(slo.Config{Name: "東京 availability", SLI: r, Target: 0.99, Metadata: slo.Metadata{Description: "pages load\nfast"}}, slo.WithClock(clock.Now)); err != nil {
		t.Errorf("a description with a line break: %v", err)
	}
	// With 400 days of retention, a calendar year is fine.
	long := ratio(t, clock, sli.WithStorage(sli.Storage{Retention: 400 * day}))
	if _, err := slo.New(slo.Config{Name: "a", SLI: long, Target: 0.99, Window: slo.Calendar(slo.Year, nil)}); err != nil {
		t.Errorf("calendar year over a 400-day SLI: %v", err)
	}
}

// TestWorkbookFigures reproduces the SRE Workbook's worked figures for 99.9%
// over 30 days, end to end through recorded events.
func TestWorkbookFigures(t *testing.T) {
	t.Run("an hour at burn rate 14.4 spends 2%", func(t *testing.T) {
		clock := ninestest.NewClock(t0.Add(30 * day))
		r := ratio(t, clock)
		o := objective(t, slo.Config{Name: "api", SLI: r, Target: 0.999}, clock)
		// 2500 requests an hour for 30 days; in the last hour 36 failed.
		clock.Advance(-time.Hour)
		steady(r, clock, 719, 2500, 0)
		clock.Advance(time.Hour)
		steady(r, clock, 1, 2500, 36)
		s, err := o.Status()
		if err != nil {
			t.Fatal(err)
		}
		if hour := s.BurnRates[2]; hour.Window != time.Hour || math.Abs(hour.Rate-14.4) > 1e-9 {
			t.Errorf("1h burn rate = %+v, want 14.4", hour)
		}
		if used, _ := s.Budget.Consumed(); math.Abs(used-0.02) > 1e-9 {
			t.Errorf("budget consumed = %v, want 2%%", used)
		}
	})
	t.Run("10 requests an hour, one failed, spends 13.9%", func(t *testing.T) {
		clock := ninestest.NewClock(t0.Add(30 * day))
		r := ratio(t, clock)
		var events []slo.AlertEvent
		o := objective(t, slo.Config{Name: "quiet", SLI: r, Target: 0.999}, clock, slo.WithAlertHandler(func(e slo.AlertEvent) { events = append(events, e) }))
		steady(r, clock, 720, 10, 0)
		r.Record(sli.Bad)
		s, err := o.Status()
		if err != nil {
			t.Fatal(err)
		}
		if used, _ := s.Budget.Consumed(); math.Round(used*1000)/10 != 13.9 {
			t.Errorf("budget consumed = %v, want 13.9%%", used)
		}
		// One failure among ten requests is a burn rate of 100 over the hour:
		// the minimum-events guard keeps it from paging.
		if s.Alerts[0].Long.Rate < 14.4 || s.Alerts[0].Firing || len(events) != 0 {
			t.Errorf("page-1h: %+v, events %v; want a high burn rate but no page", s.Alerts[0], events)
		}
	})
}

func TestStatusAndAttainment(t *testing.T) {
	tests := []struct {
		name    string
		perHour int
		bad     int
		want    slo.Attainment
	}{
		{"met", 1000, 0, slo.Met},
		{"at risk", 1000, 8, slo.AtRisk},     // 80% of the budget spent
		{"breached", 1000, 12, slo.Breached}, // 120%
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := ninestest.NewClock(t0.Add(30 * day))
			r := ratio(t, clock)
			o := objective(t, slo.Config{Name: "api", SLI: r, Target: 0.99, Alerts: []slo.AlertRule{}}, clock)
			steady(r, clock, 720, tt.perHour, tt.bad)
			s, err := o.Status()
			if err != nil {
				t.Fatal(err)
			}
			if s.Attainment != tt.want {
				t.Errorf("Attainment = %v, want %v", s.Attainment, tt.want)
			}
			wantSLI := 1 - float64(tt.bad)/float64(tt.perHour)
			if s.Valid != float64(720*tt.perHour) || math.Abs(s.SLI-wantSLI) > 1e-12 {
				t.Errorf("SLI = %v over %v events, want %v over %v", s.SLI, s.Valid, wantSLI, 720*tt.perHour)
			}
			if math.Abs(s.Traffic-float64(tt.perHour)/3600) > 1e-9 {
				t.Errorf("Traffic = %v/s, want %v/s", s.Traffic, float64(tt.perHour)/3600)
			}
			wantWindows := []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour, day, 3 * day}
			var got []time.Duration
			for _, b := range s.BurnRates {
				got = append(got, b.Window)
				if want := float64(tt.bad) / float64(tt.perHour) / 0.01; b.Window >= time.Hour && math.Abs(b.Rate-want) > 0.05 {
					t.Errorf("burn rate over %v = %v, want about %v", b.Window, b.Rate, want)
				}
			}
			if diff := cmp.Diff(wantWindows, got); diff != "" {
				t.Errorf("burn windows (-want +got):\n%s", diff)
			}
		})
	}
	clock := ninestest.NewClock(t0)
	o := objective(t, slo.Config{Name: "idle", SLI: ratio(t, clock), Target: 0.99}, clock)
	s, err := o.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !s.NoData || s.Attainment != slo.NoData {
		t.Errorf("idle objective: NoData %v, Attainment %v; want no data", s.NoData, s.Attainment)
	}
	if _, err := s.Remaining(); err == nil {
		t.Error("Remaining() of an idle objective succeeded, want no data")
	}
}

// TestAlerts drives the page-1h rule through firing and resolving: it fires
// only when both windows burn past 14.4, resolves when the short window
// drops below, and every change reaches the handler and the log once.
func TestAlerts(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	r := ratio(t, clock)
	var mu sync.Mutex
	var events []slo.AlertEvent
	var logs bytes.Buffer
	o, err := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.999, Alerts: slo.DefaultAlerts()[:1]},
		slo.WithClock(clock.Now),
		slo.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		slo.WithAlertHandler(func(e slo.AlertEvent) { mu.Lock(); events = append(events, e); mu.Unlock() }))
	if err != nil {
		t.Fatal(err)
	}
	// A healthy day: 6000 requests an hour.
	steady(r, clock, 24, 6000, 0)
	firing := func() bool {
		s, err := o.Evaluate()
		if err != nil {
			t.Fatal(err)
		}
		return s.Alerts[0].Firing
	}
	if firing() {
		t.Fatal("page-1h firing on a healthy service")
	}
	// 5% of requests fail, minute by minute (burn rate 50).
	for m := range 60 {
		for k := range 100 {
			if k < 5 {
				r.Record(sli.Bad)
			} else {
				r.Record(sli.Good)
			}
		}
		clock.Advance(time.Minute)
		got := firing()
		// The hour's burn rate passes 14.4 after 18 bad minutes of 60.
		if m < 10 && got {
			t.Fatalf("firing after %d bad minutes, before the long window burns past 14.4", m+1)
		}
		if m == 59 && !got {
			t.Fatal("not firing after an hour at burn rate 50")
		}
	}
	// Evaluating again and again changes nothing.
	for range 5 {
		firing()
	}
	// Recovery: the short window clears within minutes, the long one later.
	resolvedAfter := 0
	for m := range 30 {
		for range 100 {
			r.Record(sli.Good)
		}
		clock.Advance(time.Minute)
		if !firing() {
			resolvedAfter = m + 1
			break
		}
	}
	if resolvedAfter == 0 || resolvedAfter > 7 {
		t.Errorf("resolved after %d good minutes, want as soon as the 5m window clears", resolvedAfter)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || !events[0].Firing || events[1].Firing || events[0].Rule.Name != "page-1h" {
		t.Fatalf("events = %+v, want one firing then one resolved", events)
	}
	if events[0].Threshold != 14.4 || events[0].Long <= 14.4 || events[0].Short <= 14.4 {
		t.Errorf("firing event %+v: want both burn rates above the threshold 14.4", events[0])
	}
	if n := strings.Count(logs.String(), "slo alert firing"); n != 1 {
		t.Errorf("logged firing %d times, want once:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "slo alert resolved"); n != 1 {
		t.Errorf("logged resolved %d times, want once:\n%s", n, logs.String())
	}
	// Looking back at the outage reports it, without new events.
	s, _ := o.StatusAt(clock.Now().Add(-time.Duration(resolvedAfter+5) * time.Minute))
	if !s.Alerts[0].Firing || len(events) != 2 {
		t.Errorf("status in the past: firing %v, %d events; want firing and no new event", s.Alerts[0].Firing, len(events))
	}
}

func TestScaledThresholds(t *testing.T) {
	rules := slo.DefaultAlerts()
	for _, tt := range []struct {
		period time.Duration
		want   []float64
	}{
		{30 * day, []float64{14.4, 6, 1}},
		{7 * day, []float64{3.36, 1.4, 7.0 / 30}},
		{90 * day, []float64{43.2, 18, 3}},
	} {
		for i, r := range rules {
			if got, _ := r.Guard(budget.MustTarget(0.999, tt.period)); math.Abs(got-tt.want[i]) > 1e-9 {
				t.Errorf("%s over %v: threshold %v, want %v", r.Name, tt.period, got, tt.want[i])
			}
		}
	}
}

// TestStatusActsOnNothing: a thousand status reads report an alert whose
// condition holds as firing, and neither change its state nor call the
// handler; an evaluation then does both, once.
func TestStatusActsOnNothing(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	r := ratio(t, clock)
	var events []slo.AlertEvent
	o, err := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.999, Alerts: slo.DefaultAlerts()[:1]},
		slo.WithClock(clock.Now), slo.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		slo.WithAlertHandler(func(e slo.AlertEvent) { events = append(events, e) }))
	if err != nil {
		t.Fatal(err)
	}
	burn(r, clock)
	for range 1000 {
		p, err := o.Status()
		if err != nil {
			t.Fatal(err)
		}
		if !p.Alerts[0].Firing || !p.Alerts[0].Since.IsZero() || len(events) != 0 {
			t.Fatalf("Status: firing %v since %v, %d events; want firing, no since, no event", p.Alerts[0].Firing, p.Alerts[0].Since, len(events))
		}
	}
	s, _ := o.Evaluate()
	if !s.Alerts[0].Firing || len(events) != 1 {
		t.Fatalf("Evaluate: firing %v, %d events; want firing and one event", s.Alerts[0].Firing, len(events))
	}
	if p, _ := o.Status(); !p.Alerts[0].Since.Equal(s.Alerts[0].Since) || len(events) != 1 {
		t.Errorf("Status after Evaluate: since %v (Evaluate %v), %d events", p.Alerts[0].Since, s.Alerts[0].Since, len(events))
	}
	if s, _ := o.Evaluate(); !s.Alerts[0].Firing || len(events) != 1 {
		t.Errorf("a second evaluation: firing %v, %d events; want firing and still one event", s.Alerts[0].Firing, len(events))
	}
}

// burn records an hour at 5% errors, a burn rate of 50 against 99.9%.
func burn(r *sli.Ratio, clock *ninestest.Clock) {
	for range 60 {
		for k := range 100 {
			if k < 5 {
				r.Record(sli.Bad)
			} else {
				r.Record(sli.Good)
			}
		}
		clock.Advance(time.Minute)
	}
}

// TestAlertsWithoutReaders: an objective evaluates its alerts on its own,
// so an outage reaches the handler with nothing reading its status. The
// events are on a fake clock; the evaluations on a 5 ms real timer.
func TestAlertsWithoutReaders(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	r := ratio(t, clock)
	fired := make(chan slo.AlertEvent, 4)
	_, err := slo.New(slo.Config{Name: "checkout", SLI: r, Target: 0.999, Alerts: slo.DefaultAlerts()[:1]},
		slo.WithClock(clock.Now), slo.WithEvaluationInterval(5*time.Millisecond),
		slo.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		slo.WithAlertHandler(func(e slo.AlertEvent) { fired <- e }))
	if err != nil {
		t.Fatal(err)
	}
	burn(r, clock)
	select {
	case e := <-fired:
		if !e.Firing || e.Objective != "checkout" {
			t.Errorf("first event %+v, want checkout firing", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no alert reached the handler within 10 s of 5 ms evaluations")
	}
}

// TestEvaluationInterval: an interval under a millisecond is refused.
func TestEvaluationInterval(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	for _, d := range []time.Duration{0, -time.Second, time.Nanosecond, time.Millisecond - 1} {
		_, err := slo.New(slo.Config{Name: "x", SLI: ratio(t, clock), Target: 0.99}, slo.WithEvaluationInterval(d))
		if !errors.Is(err, slo.ErrInvalidConfig) {
			t.Errorf("WithEvaluationInterval(%v): %v, want ErrInvalidConfig", d, err)
		}
	}
}

// TestExhaustion: two days at a burn rate of 2/3 leave a third of a
// 30-day budget, which lasts 15 days at that rate; over a calendar month
// with less than that left, the budget outlasts the month; a window
// without events says nothing; the window must be a burn window.
func TestExhaustion(t *testing.T) {
	clock := ninestest.NewClock(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	r := ratio(t, clock)
	steady(r, clock, 48, 6000, 4) // 4 bad in 6000 at 99.9%: burn rate 2/3
	o := objective(t, slo.Config{Name: "api", SLI: r, Target: 0.999}, clock)
	s, err := o.Status()
	if err != nil {
		t.Fatal(err)
	}
	e := s.Exhaustion
	if e.Window != slo.DefaultExhaustionWindow || e.NoData || e.Never || math.Abs(e.BurnRate-2.0/3) > 1e-9 ||
		(e.In-15*day).Abs() > time.Minute || math.Abs(e.LeftAtEnd-(1.0/3-2.0/3)) > 1e-9 {
		t.Errorf("rolling: %+v, want the 6h rate 2/3, gone in 15 days, -1/3 left after the window", e)
	}
	// The same two days as the month's: 10 days left in November.
	month := objective(t, slo.Config{Name: "month", SLI: r, Target: 0.999, Window: slo.Calendar(slo.Month, nil), ExhaustionWindow: time.Hour}, clock)
	if s, _ := month.Status(); !s.Exhaustion.Never || s.Exhaustion.Window != time.Hour || s.Exhaustion.NoData {
		t.Errorf("calendar month: %+v, want never: the month ends before the budget", s.Exhaustion)
	}
	clock.Advance(7 * time.Hour) // nothing in the last 6 hours
	if s, _ := o.Status(); !s.Exhaustion.NoData {
		t.Errorf("no events in the window: %+v, want NoData", s.Exhaustion)
	}
	if _, err := slo.New(slo.Config{Name: "x", SLI: r, Target: 0.99, ExhaustionWindow: 2 * time.Hour}, slo.WithClock(clock.Now)); !errors.Is(err, slo.ErrInvalidConfig) {
		t.Errorf("ExhaustionWindow 2h: %v, want ErrInvalidConfig", err)
	}
}

// An objective's Config builds an objective with the same Config: the
// defaults filled in, no rules staying no rules, a composite's components.
func TestConfigRebuilds(t *testing.T) {
	ratio, _ := sli.NewRatio()
	slices, _ := sli.NewRatioSlices(0.9)
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	plain := mustNew(t, slo.Config{Name: "plain", SLI: ratio, Target: 0.999})
	sliced := mustNew(t, slo.Config{Name: "sliced", SLI: slices, Target: 0.99, Window: slo.Rolling(7 * 24 * time.Hour)})
	configs := []slo.Config{
		{Name: "plain", SLI: ratio, Target: 0.999},
		{Name: "quiet", SLI: ratio, Target: 0.99, Alerts: []slo.AlertRule{}, AtRisk: 0.5,
			Window: slo.Calendar(slo.Month, kolkata), ExhaustionWindow: time.Hour,
			Metadata: slo.Metadata{Service: "shop", Owner: "team"}, AlertLabels: map[string]string{"tier": "1"}},
		{Name: "sliced", SLI: slices, Target: 0.99, Window: slo.Rolling(7 * 24 * time.Hour)},
		{Name: "both", Target: 0.99, Window: slo.Rolling(7 * 24 * time.Hour),
			Components: []slo.Component{{Objective: plain, Weight: 2}, {Objective: sliced, WhenNoData: slo.NoDataBad}}},
	}
	opts := cmp.Options{
		cmp.Comparer(func(a, b slo.Window) bool { return a == b }),
		cmp.Comparer(func(a, b sli.Source) bool { return a == b }),
		cmp.Comparer(func(a, b *slo.Objective) bool { return a == b }),
	}
	for _, c := range configs {
		first := mustNew(t, c).Config()
		if first.Alerts == nil || first.AtRisk == 0 || first.ExhaustionWindow == 0 {
			t.Errorf("%s: Config left a default unset: %+v", c.Name, first)
		}
		if len(c.Alerts) == 0 && c.Alerts != nil && len(first.Alerts) != 0 {
			t.Errorf("%s: no rules became %v", c.Name, first.Alerts)
		}
		if c.Components != nil && (first.SLI != nil || len(first.Components) != len(c.Components)) {
			t.Errorf("%s: composite Config: SLI %v, %d components", c.Name, first.SLI, len(first.Components))
		}
		if diff := cmp.Diff(first, mustNew(t, first).Config(), opts); diff != "" {
			t.Errorf("%s: rebuilt from its Config (-first +rebuilt):\n%s", c.Name, diff)
		}
	}
}

func mustNew(t *testing.T, c slo.Config) *slo.Objective {
	t.Helper()
	o, err := slo.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
