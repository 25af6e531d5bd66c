// Command queue measures a message consumer with nines, without HTTP: an
// in-process channel stands in for a Kafka topic. Two SLIs per consumer:
// availability, the share of messages processed without error (a message
// the consumer rejects as malformed is not valid: the producer's fault),
// and freshness, the share processed within 2 seconds of being published,
// end to end (time in the queue included), with its percentiles.
//
//	go run ./examples/queue [-messages 5000] [-workers 4]
//
// The example runs on a clock it moves by hand, so that a minute of
// traffic, a backlog that builds while the consumer is slow, and its
// effect on the freshness objective take no time to run.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/nines-slo/nines/internal/cli"
	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

const help = `usage: go run ./examples/queue [-messages 5000] [-workers 4]

A message consumer measured by nines without HTTP: a channel stands in for
a topic (Kafka, say), published to at 100 messages a second. It reports
the availability of processing (a message that fails is bad; a malformed
one is not valid) and end-to-end freshness (published to processed within
2 s), through a consumer stall that breaches freshness. Time is simulated
(a clock the example moves), so the run takes well under a second.
`

func main() {
	cli.Usage(flag.CommandLine, help)
	messages := flag.Int("messages", 5000, "messages to publish, 100 a second")
	workers := flag.Int("workers", 4, "consumer goroutines")
	flag.Parse()
	if err := run(os.Stdout, *messages, *workers); err != nil {
		log.Fatal(err)
	}
}

// message is what the topic carries: when it was published, and whether
// it is well formed and whether processing it fails (the example's
// stand-ins for a real payload and a real downstream).
type message struct {
	published time.Time
	malformed bool
	fails     bool
}

// consumer processes messages and records the two SLIs.
type consumer struct {
	clock        *ninestest.Clock
	availability *sli.Ratio
	freshness    *sli.Latency
}

// process handles one message: the work itself, then its outcome and its
// end-to-end age.
func (c *consumer) process(m message) {
	switch {
	case m.malformed:
		c.availability.Record(sli.Invalid) // rejected: not the consumer's failure
		c.freshness.Exclude()
		return
	case m.fails:
		c.availability.Record(sli.Bad)
		c.freshness.Exclude() // a failed message's age says nothing of freshness
		return
	}
	c.availability.Record(sli.Good)
	c.freshness.Record(c.clock.Now().Sub(m.published))
}

func run(out io.Writer, messages, workers int) error {
	if messages <= 0 || workers <= 0 {
		return fmt.Errorf("queue: -messages and -workers must be positive")
	}
	clock := ninestest.NewClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	availability, err := sli.NewRatio(sli.WithClock(clock.Now))
	if err != nil {
		return err
	}
	freshness, err := sli.NewLatency(2*time.Second, sli.WithClock(clock.Now))
	if err != nil {
		return err
	}
	reg, _ := slo.NewRegistry()
	for _, c := range []slo.Config{
		{Name: "orders consumer availability", SLI: availability, Target: 0.999},
		{Name: "orders consumer freshness", SLI: freshness, Target: 0.99},
	} {
		c.Metadata = slo.Metadata{Service: "orders", Source: "examples/queue"}
		c.Alerts = []slo.AlertRule{} // the example reads statuses; no evaluator
		o, err := slo.New(c, slo.WithClock(clock.Now))
		if err != nil {
			return err
		}
		if err := reg.Add(o); err != nil {
			return err
		}
	}
	c := &consumer{clock: clock, availability: availability, freshness: freshness}

	// Publish 100 messages a second. The consumer keeps up, except for 10
	// seconds in the middle when it stalls (a slow downstream): the
	// backlog's messages are processed late.
	rng := rand.New(rand.NewPCG(1, 2))
	topic := make(chan message, messages)
	var wg sync.WaitGroup
	stallFrom, stallTo := messages/2, messages/2+1000
	for i := range messages {
		clock.Advance(10 * time.Millisecond)
		topic <- message{published: clock.Now(), malformed: rng.IntN(500) == 0, fails: rng.IntN(1000) == 0}
		if i%10 != 9 || i >= stallFrom && i < stallTo {
			continue // between polls, or stalled: the backlog builds
		}
		// Every 100 ms the workers drain the topic, the clock held still
		// meanwhile.
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case m := <-topic:
						c.process(m)
					default:
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	close(topic)
	for m := range topic {
		c.process(m)
	}

	statuses, err := reg.Status()
	if err != nil {
		return err
	}
	for _, st := range statuses {
		state := "met"
		if st.SLI < st.Target {
			state = "breached"
		}
		fmt.Fprintf(out, "%s: %.0f good of %.0f valid, SLI %.4f%% against %.1f%%: %s\n",
			st.Name, st.Good, st.Valid, 100*st.SLI, 100*st.Target, state)
	}
	t := availability.Totals()
	fmt.Fprintf(out, "messages: %d processed, %d failed, %d rejected as malformed\n", t.Good, t.Bad, t.Invalid)
	p, err := freshness.Percentiles(5 * time.Minute)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "age when processed, last 5 minutes: p50 %v, p99 %v, p99.9 %v\n",
		p.P50.Round(time.Millisecond), p.P99.Round(time.Millisecond), p.P999.Round(time.Millisecond))
	return nil
}
