package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// service is what most scenarios record into: an availability and a
// latency objective, in one registry.
type service struct {
	reg   *slo.Registry
	avail *sli.Ratio
	lat   *sli.Latency
}

// newService returns a service on the wall clock, or on now if it is not
// nil.
func newService(now func() time.Time) (*service, error) {
	s := &service{}
	var err error
	if s.avail, err = sli.NewRatio(sli.WithClock(now)); err != nil {
		return nil, err
	}
	if s.lat, err = sli.NewLatency(100*time.Millisecond, sli.WithClock(now)); err != nil {
		return nil, err
	}
	opt := slo.WithClock(now)
	a, err := slo.New(slo.Config{Name: "availability", SLI: s.avail, Target: 0.99}, opt)
	if err != nil {
		return nil, err
	}
	l, err := slo.New(slo.Config{Name: "latency", SLI: s.lat, Target: 0.9}, opt)
	if err != nil {
		return nil, err
	}
	s.reg, err = slo.NewRegistry(a, l)
	return s, err
}

// mustService is newService on the wall clock, which cannot fail.
func mustService() *service {
	s, err := newService(nil)
	if err != nil {
		panic(err)
	}
	return s
}

// recordingScenario records from several goroutines on the wall clock,
// across real rotations (10-second cells), while snapshots are taken and
// restored: every event is in the totals and in the hour's window exactly
// once, and the last snapshot restores to the same totals.
func recordingScenario(s *suite) ([]figure, []string) {
	var broken []string
	svc := mustService()
	reg, avail, lat := svc.reg, svc.avail, svc.lat
	const writers = 4
	span := time.Duration(float64(22*time.Second) * s.scale) // two count rotations or more at scale 1
	span = max(span, 2*time.Second)
	var good, bad, invalid, values atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for k := 0; ; k++ {
				if k%1024 == 0 {
					select {
					case <-stop:
						return
					default:
					}
				}
				switch rng.IntN(10) {
				case 0:
					avail.Record(sli.Bad)
					bad.Add(1)
				case 1:
					avail.Record(sli.Invalid)
					invalid.Add(1)
				default:
					avail.Record(sli.Good)
					good.Add(1)
				}
				lat.Record(time.Duration(rng.IntN(300)) * time.Millisecond)
				values.Add(1)
			}
		}()
	}
	snapshots, restores := 0, 0
	deadline := time.Now().Add(span)
	for time.Now().Before(deadline) {
		var buf bytes.Buffer
		if err := reg.Snapshot(&buf); err != nil {
			broken = append(broken, "snapshot: "+err.Error())
			break
		}
		snapshots++
		if _, err := mustService().reg.Restore(&buf); err != nil {
			broken = append(broken, "restore of a snapshot taken while recording: "+err.Error())
			break
		}
		restores++
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	tot := avail.Totals()
	if tot.Good != good.Load() || tot.Bad != bad.Load() || tot.Invalid != invalid.Load() {
		broken = append(broken, fmt.Sprintf("totals %d good, %d bad, %d invalid; recorded %d, %d, %d",
			tot.Good, tot.Bad, tot.Invalid, good.Load(), bad.Load(), invalid.Load()))
	}
	c, err := avail.Counts(time.Hour)
	if err != nil || uint64(c.Valid) != good.Load()+bad.Load() || uint64(c.Good) != good.Load() {
		broken = append(broken, fmt.Sprintf("the hour's window holds %v (%v); recorded %d good of %d", c, err, good.Load(), good.Load()+bad.Load()))
	}
	if n := lat.Cumulative().Count(); n != values.Load() {
		broken = append(broken, fmt.Sprintf("latency histogram holds %d values, %d recorded", n, values.Load()))
	}
	var buf bytes.Buffer
	reg.Snapshot(&buf)
	restored := mustService()
	if _, err := restored.reg.Restore(&buf); err != nil || restored.avail.Totals() != tot {
		broken = append(broken, fmt.Sprintf("the last snapshot restores to %+v (%v), want %+v", restored.avail.Totals(), err, tot))
	}
	events := good.Load() + bad.Load() + invalid.Load()
	return []figure{
		fig("events recorded", "%d", events),
		fig("counted", "%d", tot.Good+tot.Bad+tot.Invalid),
		fig("latencies", "%d", values.Load()),
		fig("rotations", "%d", int(span/(10*time.Second))),
		fig("snapshots restored", "%d", restores),
	}, broken
}

// clockScenario records on a clock that jumps forward and back (as NTP,
// a VM migration or a suspended laptop make it), reading statuses and
// evaluating alerts at every step: nothing fails, and every event is
// counted once, in the windows or as out of range.
func clockScenario(s *suite) ([]figure, []string) {
	var broken []string
	clock := ninestest.NewClock(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	svc, err := newService(clock.Now)
	if err != nil {
		return nil, []string{err.Error()}
	}
	reg, avail, lat := svc.reg, svc.avail, svc.lat
	rng := rand.New(rand.NewPCG(3, 4))
	steps := s.n(2000)
	var recorded, back uint64
	for range steps {
		// Mostly forward, by up to an hour; one step in five back by up to
		// a day; one in fifty back by 40 days, past the retention.
		d := time.Duration(rng.IntN(3600)) * time.Second
		switch r := rng.IntN(50); {
		case r == 0:
			d = -40 * 24 * time.Hour
			back++
		case r < 10:
			d = -time.Duration(rng.IntN(86400)) * time.Second
			back++
		}
		clock.Advance(d)
		for range 20 {
			if rng.IntN(20) == 0 {
				avail.Record(sli.Bad)
			} else {
				avail.Record(sli.Good)
			}
			lat.Record(time.Duration(rng.IntN(200)) * time.Millisecond)
			recorded++
		}
		if _, err := reg.Evaluate(); err != nil {
			broken = append(broken, fmt.Sprintf("at %v: %v", clock.Now(), err))
			break
		}
	}
	tot := avail.Totals()
	if tot.Good+tot.Bad != recorded {
		broken = append(broken, fmt.Sprintf("totals %d valid, %d recorded", tot.Good+tot.Bad, recorded))
	}
	st, err := reg.Status()
	if err != nil {
		broken = append(broken, err.Error())
	} else if st[0].Valid > float64(recorded) {
		broken = append(broken, fmt.Sprintf("the window holds %v events, %d were recorded", st[0].Valid, recorded))
	}
	return []figure{
		fig("clock steps", "%d (%d back)", steps, back),
		fig("events", "%d", recorded),
		fig("out of range", "%d", tot.OutOfRange),
		fig("expired", "%d", tot.Expired),
	}, broken
}
