package slo_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

func sampled(id byte) context.Context {
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{id}, SpanID: trace.SpanID{id}, TraceFlags: trace.FlagsSampled})
	return trace.ContextWithSpanContext(context.Background(), sc)
}

// A status lists the exemplars of its window up to its time, the latest
// first; a composite's are its components'.
func TestStatusExemplars(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := ninestest.NewClock(start)
	ratio, _ := sli.NewRatio(sli.WithClock(clock.Now))
	latency, _ := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
	a, _ := slo.New(slo.Config{Name: "a", SLI: ratio, Target: 0.99, Window: slo.Rolling(time.Hour), Alerts: []slo.AlertRule{}}, slo.WithClock(clock.Now))
	l, _ := slo.New(slo.Config{Name: "l", SLI: latency, Target: 0.99, Window: slo.Rolling(time.Hour), Alerts: []slo.AlertRule{}}, slo.WithClock(clock.Now))
	both, err := slo.New(slo.Config{Name: "both", Components: []slo.Component{{Objective: a}, {Objective: l}}, Target: 0.99, Window: slo.Rolling(time.Hour), Alerts: []slo.AlertRule{}}, slo.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	ratio.RecordContext(sampled(1), sli.Bad) // 9:00, outside the window at 10:30
	clock.Set(start.Add(time.Hour))
	ratio.RecordContext(sampled(2), sli.Bad) // 10:00
	clock.Set(start.Add(80 * time.Minute))
	latency.RecordContext(sampled(3), time.Second) // 10:20
	clock.Set(start.Add(90 * time.Minute))

	ids := func(s slo.Status) []byte {
		var out []byte
		for _, e := range s.Exemplars {
			out = append(out, e.TraceID[0])
		}
		return out
	}
	for _, c := range []struct {
		o    *slo.Objective
		at   time.Time
		want string
	}{
		{a, clock.Now(), "\x02"},
		{a, start.Add(30 * time.Minute), "\x01"},
		{l, clock.Now(), "\x03"},
		{both, clock.Now(), "\x03\x02"},
		{both, start.Add(70 * time.Minute), "\x02"},
	} {
		s, err := c.o.StatusAt(c.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(ids(s)); got != c.want {
			t.Errorf("%s at %v: exemplars %q, want %q", c.o.Name(), c.at.Format("15:04"), got, c.want)
		}
	}
}
