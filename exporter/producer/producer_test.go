package producer_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/exporter/internal/fixture"
	"github.com/nines-slo/nines/exporter/internal/names"
	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

var t0 = fixture.T0

func newFixture(t testing.TB) *fixture.Fixture { return fixture.New(t) }

// collect attaches an exporter for reg to a ManualReader and returns one
// collection.
func collect(t testing.TB, reg *slo.Registry, opts ...producer.Option) (metricdata.ResourceMetrics, *producer.Producer, *sdkmetric.ManualReader) {
	t.Helper()
	exp, err := producer.New(reg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(exp))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { mp.Shutdown(context.Background()) })
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm, exp, reader
}

// flatten maps "name{k=v,…}" to the value of every counter and gauge point.
func flatten(rm metricdata.ResourceMetrics) map[string]float64 {
	out := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var points []metricdata.DataPoint[float64]
			switch d := m.Data.(type) {
			case metricdata.Sum[float64]:
				points = d.DataPoints
			case metricdata.Gauge[float64]:
				points = d.DataPoints
			default:
				continue
			}
			for _, p := range points {
				out[key(m.Name, p.Attributes)] = p.Value
			}
		}
	}
	return out
}

func key(name string, set attribute.Set) string {
	var kv []string
	for _, a := range set.ToSlice() {
		kv = append(kv, string(a.Key)+"="+a.Value.String())
	}
	return name + "{" + strings.Join(kv, ",") + "}"
}

// TestInstruments checks every counter and gauge against numbers worked
// out by hand from the events recorded, and the kind and unit of every
// instrument.
func TestInstruments(t *testing.T) {
	f := newFixture(t)
	rm, _, _ := collect(t, f.Registry)

	want := map[string]float64{}
	put := func(name, obj, service string, v float64, extra ...string) {
		kv := []string{"nines.slo.name=" + obj}
		if service != "" {
			kv = append(kv, "nines.slo.service="+service)
		}
		kv = append(kv, extra...)
		slices.Sort(kv)
		want[name+"{"+strings.Join(kv, ",")+"}"] = v
	}
	windows := []string{"5m", "30m", "1h", "6h", "1d", "3d"}
	for _, o := range []struct {
		name, service       string
		good, valid, target float64
		sli, left, burn     float64
		alerts              map[string]float64 // rule → firing
	}{
		// 5 bad of 1000 at 99%: half the budget spent, burning at 0.5.
		{"checkout", "shop", 995, 1000, 0.99, 0.995, 0.5, 0.5, map[string]float64{"page-1h": 0, "page-6h": 0, "ticket-3d": 0}},
		// Half bad at 99%: burn rate 50, 49 budgets overspent, every alert firing.
		{"search", "", 500, 1000, 0.99, 0.5, -49, 50, map[string]float64{"page-1h": 1, "page-6h": 1, "ticket-3d": 1}},
		// 20 of 100 over 100 ms at 90%: burn rate 2; page-1h (14.4) cannot
		// fire at 90% and is left out, page-6h (6) does not, ticket-3d (1) does.
		{"api-latency", "shop", 80, 100, 0.9, 0.8, -1, 2, map[string]float64{"page-6h": 0, "ticket-3d": 1}},
	} {
		put(names.GoodEvents, o.name, o.service, o.good)
		put(names.ValidEvents, o.name, o.service, o.valid)
		put(names.Target, o.name, o.service, o.target)
		put(names.SLI, o.name, o.service, o.sli)
		put(names.BudgetLeft, o.name, o.service, o.left)
		put(names.StatusOK, o.name, o.service, 1)
		// Half the budget left at rate 0.5 lasts the 30 days; the others
		// have spent theirs.
		put(names.Exhaustion, o.name, o.service, max(0, o.left*30*24*3600/o.burn), "nines.slo.burn_window=6h")
		for _, w := range windows {
			put(names.BurnRate, o.name, o.service, o.burn, "nines.slo.burn_window="+w)
		}
		for rule, v := range o.alerts {
			sev := "page"
			if strings.HasPrefix(rule, "ticket") {
				sev = "ticket"
			}
			put(names.AlertFiring, o.name, o.service, v, "nines.slo.alert="+rule, "nines.slo.severity="+sev)
		}
	}
	// Quantiles: 60 values at 7 ms, 20 at 40 ms, 20 at 300 ms, in every
	// window. Each must be the in-process Status's, and within 1% of the
	// exact value (the median is the 50th of 60 equal values: 7 ms).
	for _, w := range []string{"1m", "5m", "1h"} {
		for q, v := range map[string]float64{"0.5": 0.007, "0.95": 0.3, "0.99": 0.3} {
			put(names.LatencyQuantile, "api-latency", "shop", v, "nines.slo.latency_window="+w, "nines.slo.quantile="+q)
		}
	}
	got := flatten(rm)
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0.01, 1e-12)); diff != "" {
		t.Errorf("counters and gauges (-want +got):\n%s", diff)
	}
	// The quantile gauges are exactly what Status reports.
	o, _ := f.Registry.Get("api-latency")
	s, _ := o.Status()
	for _, p := range s.Latency {
		k := key(names.LatencyQuantile, attribute.NewSet(names.Name.String("api-latency"), names.Service.String("shop"),
			names.LatencyWindow.String(names.Duration(p.Window)), names.Quantile.String("0.99")))
		if got[k] != p.P99.Seconds() {
			t.Errorf("%s = %v, Status says %v", k, got[k], p.P99.Seconds())
		}
	}

	type kind struct {
		Name, Unit, Kind string
	}
	var kinds []kind
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != names.Scope {
			t.Errorf("scope %q, want %q", sm.Scope.Name, names.Scope)
		}
		for _, m := range sm.Metrics {
			k := fmt.Sprintf("%T", m.Data)
			switch d := m.Data.(type) {
			case metricdata.Sum[float64]:
				k = fmt.Sprintf("sum monotonic=%v %v", d.IsMonotonic, d.Temporality)
			case metricdata.Histogram[float64]:
				k = fmt.Sprintf("histogram %v", d.Temporality)
			}
			kinds = append(kinds, kind{m.Name, m.Unit, k})
		}
	}
	wantKinds := []kind{
		{names.GoodEvents, "{event}", "sum monotonic=true CumulativeTemporality"},
		{names.ValidEvents, "{event}", "sum monotonic=true CumulativeTemporality"},
		{names.SLI, "1", "metricdata.Gauge[float64]"},
		{names.Target, "1", "metricdata.Gauge[float64]"},
		{names.BudgetLeft, "1", "metricdata.Gauge[float64]"},
		{names.BurnRate, "1", "metricdata.Gauge[float64]"},
		{names.AlertFiring, "1", "metricdata.Gauge[float64]"},
		{names.LatencyQuantile, "s", "metricdata.Gauge[float64]"},
		{names.StatusOK, "1", "metricdata.Gauge[float64]"},
		{names.Exhaustion, "s", "metricdata.Gauge[float64]"},
		{names.Latency, "s", "histogram CumulativeTemporality"},
	}
	if diff := cmp.Diff(wantKinds, kinds, cmpopts.SortSlices(func(a, b kind) bool { return a.Name < b.Name })); diff != "" {
		t.Errorf("instruments (-want +got):\n%s", diff)
	}
}

var cmpPoints = cmp.Options{
	cmpopts.IgnoreFields(metricdata.HistogramDataPoint[float64]{}, "StartTime", "Time"),
	cmp.Comparer(func(a, b attribute.Set) bool { return a.Equals(&b) }),
	cmp.Comparer(func(a, b metricdata.Extrema[float64]) bool {
		av, aok := a.Value()
		bv, bok := b.Value()
		return aok == bok && (av == bv || (av-bv)/bv < 0.008 && (bv-av)/bv < 0.008)
	}),
	cmpopts.EquateApprox(0.008, 0), // Sum and extrema: to the HDR bucket
}

// TestLatencyHistogram checks the produced histogram: explicit buckets at
// the default boundaries (the threshold, 100 ms, among them), in seconds,
// cumulative, and its counts after more events.
func TestLatencyHistogram(t *testing.T) {
	f := newFixture(t)
	rm, _, reader := collect(t, f.Registry)
	bounds := []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	want := metricdata.Histogram[float64]{
		Temporality: metricdata.CumulativeTemporality,
		DataPoints: []metricdata.HistogramDataPoint[float64]{{
			Attributes:   attribute.NewSet(names.Name.String("api-latency"), names.Service.String("shop")),
			Count:        100,
			Bounds:       bounds,
			BucketCounts: []uint64{0, 60, 0, 20, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0},
			Min:          metricdata.NewExtrema(0.007),
			Max:          metricdata.NewExtrema(0.3),
			Sum:          60*0.007 + 20*0.04 + 20*0.3,
		}},
	}
	if diff := cmp.Diff(want, histogramOf(t, rm), cmpPoints); diff != "" {
		t.Errorf("latency histogram (-want +got):\n%s", diff)
	}

	// An hour later, more events: the histogram keeps everything, though
	// the windows have forgotten the first ones.
	f.Clock.Advance(2 * time.Hour)
	f.Latency.Record(2 * time.Second)
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	want.DataPoints[0].Count = 101
	want.DataPoints[0].BucketCounts[10] = 1
	want.DataPoints[0].Max = metricdata.NewExtrema(2.0)
	want.DataPoints[0].Sum += 2
	if diff := cmp.Diff(want, histogramOf(t, rm), cmpPoints); diff != "" {
		t.Errorf("latency histogram two hours later (-want +got):\n%s", diff)
	}
}

func histogramOf(t *testing.T, rm metricdata.ResourceMetrics) metricdata.Histogram[float64] {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == names.Latency {
				return m.Data.(metricdata.Histogram[float64])
			}
		}
	}
	t.Fatal("no latency histogram collected")
	return metricdata.Histogram[float64]{}
}

// TestThresholdBoundary checks that a threshold outside the boundaries
// becomes one, and that WithBoundaries replaces the defaults.
func TestThresholdBoundary(t *testing.T) {
	clock := ninestest.NewClock(t0)
	l, _ := sli.NewLatency(300*time.Millisecond, sli.WithClock(clock.Now))
	l.Record(200 * time.Millisecond)
	l.Record(290 * time.Millisecond)
	l.Record(310 * time.Millisecond)
	o, _ := slo.New(slo.Config{Name: "p", SLI: l, Target: 0.9}, slo.WithClock(clock.Now))
	reg, _ := slo.NewRegistry(o)
	rm, _, _ := collect(t, reg, producer.WithBoundaries([]time.Duration{100 * time.Millisecond, time.Second}))
	h := histogramOf(t, rm).DataPoints[0]
	if diff := cmp.Diff([]float64{0.1, 0.3, 1}, h.Bounds); diff != "" {
		t.Errorf("bounds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint64{0, 2, 1, 0}, h.BucketCounts); diff != "" {
		t.Errorf("bucket counts (-want +got):\n%s", diff)
	}
	for _, b := range [][]time.Duration{{0}, {time.Second, time.Second}, {2 * time.Second, time.Second}, {-time.Second}} {
		if _, err := producer.New(reg, producer.WithBoundaries(b)); !errors.Is(err, producer.ErrInvalidOption) {
			t.Errorf("WithBoundaries(%v): error %v, want ErrInvalidOption", b, err)
		}
	}
	if _, err := producer.New(nil); !errors.Is(err, producer.ErrInvalidOption) {
		t.Errorf("New(nil registry): error %v, want ErrInvalidOption", err)
	}
	if _, err := producer.New(reg, producer.WithClock(nil)); err != nil {
		t.Errorf("WithClock(nil), the wall clock as everywhere: %v", err)
	}
}

// TestRestoredNotCounted restores a snapshot into a fresh registry: the
// gauges show the restored window, the counters start from zero, as a
// restarted process's counters must for rate() and increase() to work.
func TestRestoredNotCounted(t *testing.T) {
	f := newFixture(t)
	var buf strings.Builder
	if err := f.Registry.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	g := fixture.Empty(t, f.Clock)
	if _, err := g.Registry.Restore(strings.NewReader(buf.String())); err != nil {
		t.Fatal(err)
	}
	g.Checkout.Record(sli.Good)
	rm, _, _ := collect(t, g.Registry)
	got := flatten(rm)
	attrs := "{nines.slo.name=checkout,nines.slo.service=shop}"
	if got[names.GoodEvents+attrs] != 1 || got[names.ValidEvents+attrs] != 1 {
		t.Errorf("counters after a restore: good %v valid %v, want 1 and 1 (the restored events are not counted)",
			got[names.GoodEvents+attrs], got[names.ValidEvents+attrs])
	}
	if want := 996.0 / 1001; got[names.SLI+attrs] != want {
		t.Errorf("SLI gauge after a restore = %v, want %v", got[names.SLI+attrs], want)
	}
	if h := histogramOf(t, rm).DataPoints[0]; h.Count != 0 {
		t.Errorf("latency histogram after a restore holds %d values, want 0", h.Count)
	}
}

// TestNoDataNotReported checks that an objective without events reports
// its target and zero counters, and no SLI, budget or burn rate.
func TestNoDataNotReported(t *testing.T) {
	g := fixture.Empty(t, ninestest.NewClock(t0))
	rm, _, _ := collect(t, g.Registry)
	got := flatten(rm)
	for k := range got {
		name := k[:strings.IndexByte(k, '{')]
		switch name {
		case names.SLI, names.BudgetLeft, names.BurnRate, names.LatencyQuantile:
			t.Errorf("%s = %v reported without data", k, got[k])
		case names.GoodEvents, names.ValidEvents, names.AlertFiring:
			if got[k] != 0 {
				t.Errorf("%s = %v without data, want 0", k, got[k])
			}
		}
	}
	if got[names.Target+"{nines.slo.name=search}"] != 0.99 {
		t.Errorf("target of search not reported: %v", got)
	}
}

// TestAggregatedAndLateObjectives checks the counters of an aggregated SLI
// (weighted sums of its parts) and that an objective added to the registry
// after New is exported at the next collection.
func TestAggregatedAndLateObjectives(t *testing.T) {
	f := newFixture(t)
	_, _, reader := collect(t, f.Registry)
	agg, err := sli.NewAggregated([]sli.Part{{Name: "checkout", SLI: f.Checkout, Weight: 2}, {Name: "latency", SLI: f.Latency}})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := slo.New(slo.Config{Name: "browse", SLI: agg, Target: 0.99}, slo.WithClock(f.Clock.Now))
	if err := f.Registry.Add(o); err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := flatten(rm)
	if g, v := got[names.GoodEvents+"{nines.slo.name=browse}"], got[names.ValidEvents+"{nines.slo.name=browse}"]; g != 2*995+80 || v != 2*1000+100 {
		t.Errorf("aggregated counters good %v valid %v, want %v and %v", g, v, 2*995+80, 2*1000+100)
	}
}

// failing is a user's SLI whose counts cannot be read.
type failing struct{}

func (failing) CountsAt(time.Time, time.Duration) (sli.Counts, error) {
	return sli.Counts{}, errors.New("log source unreachable")
}

// TestFailingObjectiveStaysAlone: an objective whose status fails loses
// the gauges of its status and hands its error to OpenTelemetry's error
// handler; every other objective is reported in full, and a periodic
// reader still exports them with the application's own instruments.
func TestFailingObjectiveStaysAlone(t *testing.T) {
	var handled []error
	var mu sync.Mutex
	before := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, err)
	}))
	t.Cleanup(func() { otel.SetErrorHandler(before) })

	f := newFixture(t)
	broken, err := slo.New(slo.Config{Name: "broken", SLI: failing{}, Target: 0.99}, slo.WithClock(f.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := slo.NewRegistry(broken)
	for _, o := range f.Registry.Objectives() {
		reg.Add(o)
	}
	p, _ := producer.New(reg)
	sm, err := p.Produce(context.Background())
	if err != nil {
		t.Errorf("Produce error %v, want none: a reader would export nothing", err)
	}
	mu.Lock()
	if len(handled) != 1 || !strings.Contains(handled[0].Error(), "log source unreachable") {
		t.Errorf("errors handed to OpenTelemetry %v, want the failing SLI's", handled)
	}
	mu.Unlock()
	got := flatten(metricdata.ResourceMetrics{ScopeMetrics: sm})
	healthy := flatten(func() metricdata.ResourceMetrics {
		rm, _, _ := collect(t, f.Registry)
		return rm
	}())
	for k, v := range healthy {
		if got[k] != v {
			t.Errorf("%s = %v beside a failing objective, %v without it", k, got[k], v)
		}
	}
	if v, ok := got[names.Target+"{nines.slo.name=broken}"]; !ok || v != 0.99 {
		t.Errorf("the failing objective's target: %v, %v; want 0.99 (it needs no status)", v, ok)
	}
	if _, ok := got[names.SLI+"{nines.slo.name=broken}"]; ok {
		t.Error("the failing objective reports an SLI")
	}
	if v, ok := got[names.StatusOK+"{nines.slo.name=broken}"]; !ok || v != 0 {
		t.Errorf("the failing objective's health gauge: %v, %v; want 0", v, ok)
	}

	// Through a periodic reader, with an instrument of the application's.
	backend := &recordingBackend{}
	reader := sdkmetric.NewPeriodicReader(backend, sdkmetric.WithInterval(time.Hour), sdkmetric.WithProducer(p))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	requests, _ := mp.Meter("app").Int64Counter("app.requests")
	requests.Add(context.Background(), 1)
	if err := reader.ForceFlush(context.Background()); err != nil {
		t.Errorf("ForceFlush: %v", err)
	}
	exported := flatten(backend.last())
	if _, ok := exported[names.GoodEvents+"{nines.slo.name=checkout,nines.slo.service=shop}"]; !ok {
		t.Errorf("the periodic reader did not export the healthy objectives: %v", exported)
	}
	var app bool
	for _, sm := range backend.last().ScopeMetrics {
		for _, m := range sm.Metrics {
			app = app || m.Name == "app.requests"
		}
	}
	if !app {
		t.Error("the periodic reader did not export the application's own counter")
	}
}

// recordingBackend is an OpenTelemetry exporter that keeps the last
// export.
type recordingBackend struct {
	defaults
	mu sync.Mutex
	rm metricdata.ResourceMetrics
}

func (b *recordingBackend) Export(_ context.Context, rm *metricdata.ResourceMetrics) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rm = *rm
	return nil
}

func (b *recordingBackend) last() metricdata.ResourceMetrics {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rm
}

// TestTimeSlicesExported: a time-slice objective's counters are its
// events, its SLI and slice gauges are slices; other objectives get no
// slice gauges.
func TestTimeSlicesExported(t *testing.T) {
	f := newFixture(t)
	s, err := sli.NewRatioSlices(0.9, sli.WithClock(f.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for m := range 4 {
		for k := range 10 {
			o := sli.Good
			if m == 0 && k < 2 { // 80%: a bad minute
				o = sli.Bad
			}
			s.RecordAt(f.Clock.Now().Add(time.Duration(m-5)*time.Minute+time.Duration(k)*time.Second), o)
		}
	}
	o, _ := slo.New(slo.Config{Name: "minutes", SLI: s, Target: 0.99}, slo.WithClock(f.Clock.Now))
	if err := f.Registry.Add(o); err != nil {
		t.Fatal(err)
	}
	rm, _, _ := collect(t, f.Registry)
	got := flatten(rm)
	const at = "{nines.slo.name=minutes}"
	for name, want := range map[string]float64{
		names.GoodEvents: 38, names.ValidEvents: 40, names.GoodSlices: 3, names.ValidSlices: 4, names.SLI: 0.75,
	} {
		if got[name+at] != want {
			t.Errorf("%s%s = %v, want %v", name, at, got[name+at], want)
		}
	}
	for k := range got {
		if strings.HasPrefix(k, names.GoodSlices) && k != names.GoodSlices+at {
			t.Errorf("%s reported for an objective of events", k)
		}
	}
}
