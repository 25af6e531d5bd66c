package nines_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// wrapped is a user's own SLI type around a Latency, as one would write to
// add to it: it is not an *sli.Latency, so whatever nines asks of it, it
// asks through sli's interfaces.
type wrapped struct{ *sli.Latency }

// TestWrappedSLIKeepsEverything: an objective on a wrapped latency SLI
// gets percentiles in its status, event counters, quantile gauges and the
// latency histogram in the export, charts on the status page, rules, and a
// snapshot that restores into another wrapped SLI.
func TestWrappedSLIKeepsEverything(t *testing.T) {
	clock := ninestest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	registry := func() (*slo.Registry, wrapped) {
		l, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		w := wrapped{l}
		o, err := slo.New(slo.Config{Name: "search-latency", SLI: w, Target: 0.9}, slo.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		reg, _ := slo.NewRegistry(o)
		return reg, w
	}
	reg, w := registry()
	for k := range 100 {
		w.Record(time.Duration(10+k) * time.Millisecond)
	}

	s, err := reg.Objectives()[0].Status()
	if err != nil || len(s.Latency) == 0 || s.Latency[0].Count != 100 {
		t.Errorf("status percentiles %+v, %v; want a window of 100", s.Latency, err)
	}

	p, _ := producer.New(reg)
	sm, err := p.Produce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var good, quantiles, histogram bool
	for _, m := range sm[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[float64]:
			good = good || m.Name == "nines.slo.events.good" && d.DataPoints[0].Value == 91
		case metricdata.Gauge[float64]:
			quantiles = quantiles || m.Name == "nines.slo.latency.quantile" && len(d.DataPoints) > 0
		case metricdata.Histogram[float64]:
			histogram = len(d.DataPoints) == 1 && d.DataPoints[0].Count == 100
		}
	}
	if !good || !quantiles || !histogram {
		t.Errorf("export: good-events counter of 91 %v, quantile gauges %v, a histogram of 100 %v", good, quantiles, histogram)
	}

	page, _ := statuspage.Handler(reg)
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(rec.Body.String(), `<figure class="chart" id="latency">`) {
		t.Error("the status page charts no percentiles")
	}

	var rules bytes.Buffer
	if err := promrules.Write(&rules, reg, promrules.Config{}); err != nil || !strings.Contains(rules.String(), "search-latency") {
		t.Errorf("rules for the objective: %v\n%s", err, rules.String())
	}

	var snap bytes.Buffer
	if err := reg.Snapshot(&snap); err != nil {
		t.Fatal(err)
	}
	restored, w2 := registry()
	if skipped, err := restored.Restore(bytes.NewReader(snap.Bytes())); err != nil || len(skipped) != 0 {
		t.Fatalf("restore: skipped %v, %v", skipped, err)
	}
	if c, _ := w2.Counts(time.Hour); c.Valid != 100 || c.Good != 91 {
		t.Errorf("restored counts %+v, want 91 good of 100", c)
	}
	if h, err := w2.HistogramAt(clock.Now(), time.Hour); err != nil || h.Count() != 100 {
		t.Errorf("restored histogram: %v, %v", h, err)
	}
}
