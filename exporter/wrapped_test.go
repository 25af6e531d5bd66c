package exporter_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/nines-slo/nines/exporter"
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
	clock := ninestest.NewClock(t0)
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

	rm, _, _ := collect(t, reg)
	points := flatten(rm)
	var good, quantiles bool
	for k, v := range points {
		good = good || strings.HasPrefix(k, exporter.GoodEvents+"{") && v == 91
		quantiles = quantiles || strings.HasPrefix(k, exporter.LatencyQuantile+"{")
	}
	if !good || !quantiles {
		t.Errorf("export: good-events counter of 91 %v, quantile gauges %v; in %v", good, quantiles, points)
	}
	if h := histogramOf(t, rm); len(h.DataPoints) != 1 || h.DataPoints[0].Count != 100 {
		t.Errorf("latency histogram %+v, want one point of 100", h.DataPoints)
	}

	_, page := get(t, serveStatus(t, reg).URL+"/", "")
	if !strings.Contains(string(page), "p99") {
		t.Error("the status page charts no percentiles")
	}

	var rules bytes.Buffer
	if err := exporter.WriteRules(&rules, reg, exporter.RulesConfig{}); err != nil || !strings.Contains(rules.String(), "search-latency") {
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
