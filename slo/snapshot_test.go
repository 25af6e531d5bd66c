package slo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/histogram"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// fleet is one replica's registry: availability, latency, and a system
// objective over two journeys, one of which is also a component objective.
type fleet struct {
	reg                 *slo.Registry
	avail, home, search *sli.Ratio
	latency             *sli.Latency
}

func newFleet(t testing.TB, clock *ninestest.Clock) *fleet {
	t.Helper()
	f := &fleet{avail: ratio(t, clock), home: ratio(t, clock), search: ratio(t, clock)}
	var err error
	if f.latency, err = sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now)); err != nil {
		t.Fatal(err)
	}
	browse, err := sli.NewAggregated([]sli.Part{{Name: "home", SLI: f.home}, {Name: "search", SLI: f.search}}, sli.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	f.reg, err = slo.NewRegistry(
		objective(t, slo.Config{Name: "availability", SLI: f.avail, Target: 0.999}, clock),
		objective(t, slo.Config{Name: "latency", SLI: f.latency, Target: 0.9}, clock),
		objective(t, slo.Config{Name: "browse", SLI: browse, Target: 0.999}, clock),
		objective(t, slo.Config{Name: "search", SLI: f.search, Target: 0.999}, clock),
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// dayOfTraffic returns a fleet with a day of traffic, on a clock ten
// days after t0, and its snapshot.
func dayOfTraffic(t testing.TB) (*ninestest.Clock, *fleet, []byte) {
	t.Helper()
	clock := ninestest.NewClock(t0.Add(10 * day))
	f := newFleet(t, clock)
	f.traffic(clock, 0)
	var buf bytes.Buffer
	if err := f.reg.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	return clock, f, buf.Bytes()
}

// traffic records a day of traffic, seeded so replicas differ.
func (f *fleet) traffic(clock *ninestest.Clock, seed int) {
	for m := range 24 * 60 {
		at := clock.Now().Add(-time.Duration(24*60-m) * time.Minute)
		for k := range 10 {
			o := sli.Good
			if (m*10+k+seed)%997 == 0 {
				o = sli.Bad
			}
			f.avail.RecordAt(at, o)
			f.home.RecordAt(at, o)
			if k < 3 {
				f.search.RecordAt(at, o)
			}
			f.latency.RecordAt(at, time.Duration((m*7+k*13+seed)%250)*time.Millisecond)
		}
	}
}

// view is what a registry reports at t: every objective's events and, for
// latency, the hour's percentiles.
func view(t *testing.T, reg *slo.Registry, at time.Time) map[string][3]float64 {
	t.Helper()
	st, err := reg.StatusAt(at)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][3]float64{}
	for _, s := range st {
		v := [3]float64{s.Good, s.Valid}
		for _, p := range s.Latency {
			if p.Window == time.Hour {
				v[2] = float64(p.P99)
			}
		}
		out[s.Name] = v
	}
	return out
}

func TestSnapshotRestore(t *testing.T) {
	clock, a, snap := dayOfTraffic(t)
	t.Logf("snapshot of 4 objectives (5 SLIs, one latency): %d bytes", len(snap))

	// Restored at once, into a fresh process: the same view.
	b := newFleet(t, clock)
	if _, err := b.reg.Restore(bytes.NewReader(snap)); err != nil {
		t.Fatal(err)
	}
	want := view(t, a.reg, clock.Now())
	if want["availability"][1] != 14400 || want["latency"][2] == 0 {
		t.Fatalf("original view %v: want a day of traffic and a p99", want)
	}
	if diff := cmp.Diff(want, view(t, b.reg, clock.Now())); diff != "" {
		t.Errorf("restored view (-original +restored):\n%s", diff)
	}
	// The shared search SLI was restored once, not twice.
	if c, _ := b.search.Counts(30 * day); c.Valid != 3*24*60 {
		t.Errorf("search holds %v events after restore, want %d", c.Valid, 3*24*60)
	}

	// Restored 29½ days later: the window has moved on, as it has for the
	// original, and holds about half the day of traffic.
	later := clock.Now().Add(29*day + 12*time.Hour)
	lateClock := ninestest.NewClock(later)
	c := newFleet(t, lateClock)
	if _, err := c.reg.Restore(bytes.NewReader(snap)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(view(t, a.reg, later), view(t, c.reg, later)); diff != "" {
		t.Errorf("restored 29.5 days later (-original +restored):\n%s", diff)
	}
	if got := view(t, c.reg, later)["availability"][1]; got < 6000 || got > 8000 {
		t.Errorf("29.5 days later the 30-day window holds %v events, want about half of 14400", got)
	}
	if got := view(t, c.reg, later)["latency"][2]; got != 0 {
		t.Errorf("29.5 days later the hour still has a p99 (%v)", time.Duration(got))
	}
}

// TestFleetMerge restores two replicas' snapshots into one registry, and
// merges them into one snapshot: both give the exact sum.
func TestFleetMerge(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(10 * day))
	a, b := newFleet(t, clock), newFleet(t, clock)
	a.traffic(clock, 0)
	b.traffic(clock, 500)
	var sa, sb bytes.Buffer
	if err := a.reg.Snapshot(&sa); err != nil {
		t.Fatal(err)
	}
	if err := b.reg.Snapshot(&sb); err != nil {
		t.Fatal(err)
	}
	both := newFleet(t, clock)
	for _, s := range [][]byte{sa.Bytes(), sb.Bytes()} {
		if _, err := both.reg.Restore(bytes.NewReader(s)); err != nil {
			t.Fatal(err)
		}
	}
	va, vb, got := view(t, a.reg, clock.Now()), view(t, b.reg, clock.Now()), view(t, both.reg, clock.Now())
	for name := range va {
		if got[name][0] != va[name][0]+vb[name][0] || got[name][1] != va[name][1]+vb[name][1] {
			t.Errorf("%s: fleet %v, replicas %v + %v", name, got[name], va[name], vb[name])
		}
	}
	// The fleet's p99 is that of the merged histograms, not an average.
	ha, _ := a.latency.Histogram(time.Hour)
	hb, _ := b.latency.Histogram(time.Hour)
	hm, _ := both.latency.Histogram(time.Hour)
	if ha.Count()+hb.Count() != hm.Count() {
		t.Errorf("fleet histogram holds %d values, replicas %d + %d", hm.Count(), ha.Count(), hb.Count())
	}

	var merged bytes.Buffer
	if err := slo.MergeSnapshots(&merged, bytes.NewReader(sa.Bytes()), bytes.NewReader(sb.Bytes())); err != nil {
		t.Fatal(err)
	}
	viaFile := newFleet(t, clock)
	if _, err := viaFile.reg.Restore(&merged); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, view(t, viaFile.reg, clock.Now())); diff != "" {
		t.Errorf("MergeSnapshots then Restore (-two restores +merged file):\n%s", diff)
	}
}

// totals fingerprints a fleet's state.
func (f *fleet) totals() []sli.Totals {
	return []sli.Totals{f.avail.Totals(), f.home.Totals(), f.search.Totals(), f.latency.Totals()}
}

// TestRestoreRejects damages a snapshot every way a disk or a network can;
// each is refused with ErrCorruptSnapshot and changes nothing.
func TestRestoreRejects(t *testing.T) {
	clock, _, good := dayOfTraffic(t)
	flip := func(at int) []byte { c := bytes.Clone(good); c[at] ^= 0x20; return c }
	cases := map[string][]byte{
		"empty":          {},
		"foreign":        []byte("PK\x03\x04 this is a zip file, not a snapshot"),
		"magic only":     good[:8],
		"truncated":      good[:len(good)/2],
		"last byte gone": good[:len(good)-1],
		"version":        flip(9),
		"flipped body":   flip(len(good) / 2),
		"flipped crc":    flip(len(good) - 1),
		"trailing":       append(bytes.Clone(good), 0),
	}
	b := newFleet(t, clock)
	b.traffic(clock, 7)
	before := b.totals()
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := b.reg.Restore(bytes.NewReader(data)); !errors.Is(err, slo.ErrCorruptSnapshot) {
				t.Errorf("Restore error = %v, want ErrCorruptSnapshot", err)
			}
			if diff := cmp.Diff(before, b.totals()); diff != "" {
				t.Errorf("a rejected snapshot changed the registry (-before +after):\n%s", diff)
			}
		})
	}
	// A snapshot whose "latency" is a ratio SLI does not fit it; its
	// "availability" still restores.
	other, avail := ratio(t, clock), ratio(t, clock)
	other.Record(sli.Good)
	avail.Record(sli.Bad)
	odd, _ := slo.NewRegistry(objective(t, slo.Config{Name: "availability", SLI: avail, Target: 0.99}, clock),
		objective(t, slo.Config{Name: "latency", SLI: other, Target: 0.99}, clock))
	var buf bytes.Buffer
	if err := odd.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	_, err := b.reg.Restore(&buf)
	if !errors.Is(err, slo.ErrSnapshotMismatch) || !strings.Contains(err.Error(), `"latency"`) {
		t.Errorf("Restore of a mismatched snapshot: %v, want ErrSnapshotMismatch naming latency", err)
	}
	want := before
	want[0].Bad++ // availability took its entry
	if diff := cmp.Diff(want, b.totals()); diff != "" {
		t.Errorf("after a partly mismatched snapshot (-want +got):\n%s", diff)
	}
}

// TestRestoreAcrossRegistrationOrder snapshots a registry where a component
// SLI is shared with the system's aggregate, and restores it into one that
// registers the objectives the other way round: every SLI gets its state,
// once.
func TestRestoreAcrossRegistrationOrder(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(10 * day))
	build := func(systemFirst bool) (*slo.Registry, *sli.Ratio, *sli.Ratio) {
		home, search := ratio(t, clock), ratio(t, clock)
		browse, err := sli.NewAggregated([]sli.Part{{Name: "home", SLI: home}, {Name: "search", SLI: search}}, sli.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		sys := objective(t, slo.Config{Name: "browse", SLI: browse, Target: 0.99}, clock)
		comp := objective(t, slo.Config{Name: "home", SLI: home, Target: 0.99}, clock)
		objs := []*slo.Objective{comp, sys}
		if systemFirst {
			objs = []*slo.Objective{sys, comp}
		}
		reg, err := slo.NewRegistry(objs...)
		if err != nil {
			t.Fatal(err)
		}
		return reg, home, search
	}
	src, home, search := build(true)
	for range 70 {
		home.Record(sli.Good)
	}
	for range 30 {
		search.Record(sli.Bad)
	}
	var buf bytes.Buffer
	if err := src.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	dst, dhome, dsearch := build(false)
	skipped, err := dst.Restore(&buf)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("Restore = %v, %v; want no error, nothing skipped", skipped, err)
	}
	h, _ := dhome.Counts(time.Hour)
	s, _ := dsearch.Counts(time.Hour)
	if h.Valid != 70 || s.Valid != 30 {
		t.Errorf("restored home %v and search %v events, want 70 and 30", h.Valid, s.Valid)
	}
	// A registry without the system objective skips its search part.
	lone := ratio(t, clock)
	only, _ := slo.NewRegistry(objective(t, slo.Config{Name: "home", SLI: lone, Target: 0.99}, clock))
	buf.Reset()
	src.Snapshot(&buf)
	skipped, err = only.Restore(&buf)
	if err != nil || len(skipped) != 1 || skipped[0] != "browse/search" {
		t.Errorf("Restore into a smaller registry = %v, %v; want browse/search skipped", skipped, err)
	}
}

func TestSnapshotKeyCollision(t *testing.T) {
	clock := ninestest.NewClock(t0)
	part := ratio(t, clock)
	browse, _ := sli.NewAggregated([]sli.Part{{Name: "search", SLI: part}}, sli.WithClock(clock.Now))
	reg, err := slo.NewRegistry(objective(t, slo.Config{Name: "browse", SLI: browse, Target: 0.99}, clock))
	if err != nil {
		t.Fatal(err)
	}
	clash := objective(t, slo.Config{Name: "browse/search", SLI: ratio(t, clock), Target: 0.99}, clock)
	if err := reg.Add(clash); !errors.Is(err, slo.ErrDuplicateName) {
		t.Errorf("Add of an objective named like an aggregate's part: %v, want ErrDuplicateName", err)
	}
	// The same SLI under both keys is fine.
	same := objective(t, slo.Config{Name: "browse/search", SLI: part, Target: 0.99}, clock)
	if err := reg.Add(same); err != nil {
		t.Errorf("Add of the part's own SLI under its key: %v", err)
	}
}

// TestReadStates reads a registry's snapshot without the registry: every
// objective's name finds its SLI's state, and a corrupted snapshot is
// refused.
func TestReadStates(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(30 * day))
	r := ratio(t, clock)
	steady(r, clock, 2, 100, 3)
	a, _ := slo.New(slo.Config{Name: "a", SLI: r, Target: 0.99}, slo.WithClock(clock.Now))
	b, _ := slo.New(slo.Config{Name: "b", SLI: r, Target: 0.9}, slo.WithClock(clock.Now))
	reg, _ := slo.NewRegistry(a, b)
	var buf bytes.Buffer
	if err := reg.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	states, err := slo.ReadStates(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 2 || states["a"] != states["b"] {
		t.Fatalf("states %v: want a and b sharing one", states)
	}
	fresh, _ := sli.NewRatio(sli.WithClock(clock.Now))
	if err := fresh.Add(states["a"]); err != nil {
		t.Fatal(err)
	}
	if got, want := fresh.Totals(), r.Totals(); got != want {
		t.Errorf("restored totals %+v, want %+v", got, want)
	}
	bad := bytes.Clone(buf.Bytes())
	bad[len(bad)/2] ^= 0xff
	if _, err := slo.ReadStates(bytes.NewReader(bad)); !errors.Is(err, slo.ErrCorruptSnapshot) {
		t.Errorf("corrupted snapshot: error %v, want ErrCorruptSnapshot", err)
	}
}

// TestVersion1SnapshotRestores reads a snapshot written by the previous
// store (version 1, kept in the fuzz corpus): every state decodes and adds
// to a fresh SLI of its kind at the snapshot's time, its events intact.
func TestVersion1SnapshotRestores(t *testing.T) {
	raw, err := os.ReadFile("testdata/snapshot-v1.fuzz") // a version-1 snapshot, as a fuzz corpus entry
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(raw), "\n", 3)
	data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.BigEndian.Uint16([]byte(data)[8:]); v != 1 {
		t.Fatalf("the fixture is version %d, want 1", v)
	}
	at := time.Unix(0, int64(binary.BigEndian.Uint64([]byte(data)[10:])))
	states, err := slo.ReadStates(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(states) == 0 {
		t.Fatal("no states")
	}
	latencies := 0
	for key, st := range states {
		clock := ninestest.NewClock(at)
		var counts func(time.Duration) (sli.Counts, error)
		if c, ok := st.HistogramConfig(); ok {
			latencies++
			l, err := sli.NewLatency(time.Second, sli.WithClock(clock.Now), sli.WithHistogram(c))
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Add(st); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			// The fixture's durations were recorded from 07:50 to 09:00 on
			// 12 November, ten days before the snapshot: restored at 09:00
			// that day, the hour holds the 600 of the last hour.
			then := ninestest.NewClock(time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC))
			h, _ := sli.NewLatency(time.Second, sli.WithClock(then.Now), sli.WithHistogram(c))
			if err := h.Add(st); err != nil {
				t.Fatal(err)
			}
			if s, err := h.Histogram(time.Hour); err != nil || s.Count() != 600 {
				t.Errorf("%s: restored hour holds %v values (%v), want 600", key, s.Count(), err)
			}
			counts = l.Counts
		} else {
			r, _ := sli.NewRatio(sli.WithClock(clock.Now))
			if err := r.Add(st); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			counts = r.Counts
		}
		tot := st.Totals()
		c, err := counts(sli.DefaultRetention)
		if err != nil {
			t.Fatal(err)
		}
		if want := float64(tot.Good + tot.Bad - tot.OutOfRange); c.Valid != want {
			t.Errorf("%s: restored %v valid events, the state holds %v", key, c.Valid, want)
		}
	}
	if latencies == 0 {
		t.Error("the fixture has no latency state")
	}
}

// tagged is a user's SLI type that cannot be compared (it holds a slice):
// snapshots carry it as any other.
type tagged struct {
	*sli.Ratio
	tags []string
}

func TestSnapshotUncomparableSLI(t *testing.T) {
	clock := ninestest.NewClock(t0.Add(10 * day))
	registry := func() (*slo.Registry, tagged) {
		s := tagged{ratio(t, clock), []string{"team-search"}}
		reg, err := slo.NewRegistry(objective(t, slo.Config{Name: "search", SLI: s, Target: 0.99}, clock))
		if err != nil {
			t.Fatal(err)
		}
		return reg, s
	}
	reg, s := registry()
	for k := range 100 {
		s.Record(map[bool]sli.Outcome{true: sli.Bad, false: sli.Good}[k%10 == 0])
	}
	var buf bytes.Buffer
	if err := reg.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	again, s2 := registry()
	if skipped, err := again.Restore(&buf); err != nil || len(skipped) != 0 {
		t.Fatalf("restore: skipped %v, %v", skipped, err)
	}
	if c, _ := s2.Counts(time.Hour); c.Good != 90 || c.Valid != 100 {
		t.Errorf("restored %+v, want 90 good of 100", c)
	}
}

// TestRestoreAfterSettingsChange: a deploy that changes one objective's
// histogram precision restores every other objective's history and says
// which one kept its own state.
func TestRestoreAfterSettingsChange(t *testing.T) {
	clock, a, snap := dayOfTraffic(t)
	b := newFleet(t, clock)
	finer, err := sli.NewLatency(100*time.Millisecond, sli.WithClock(clock.Now), sli.WithHistogram(histogram.Config{Digits: 3}))
	if err != nil {
		t.Fatal(err)
	}
	lat, _ := b.reg.Get("latency")
	changed, _ := slo.NewRegistry(objective(t, slo.Config{Name: "availability", SLI: b.avail, Target: 0.999}, clock),
		objective(t, slo.Config{Name: "latency", SLI: finer, Target: lat.Target()}, clock))
	_, err = changed.Restore(bytes.NewReader(snap))
	if !errors.Is(err, slo.ErrSnapshotMismatch) || !strings.Contains(err.Error(), `"latency"`) {
		t.Errorf("Restore: %v, want ErrSnapshotMismatch naming latency", err)
	}
	if got, want := b.avail.Totals(), a.avail.Totals(); got.Good != want.Good || got.Bad != want.Bad {
		t.Errorf("availability after the restore: %+v, want the snapshot's %+v", got, want)
	}
	if got := finer.Totals(); got.Good+got.Bad+got.Invalid != 0 {
		t.Errorf("the changed latency SLI took part of a state it refused: %+v", got)
	}
}
