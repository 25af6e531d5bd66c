package shard_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/nines-slo/nines/internal/shard"
)

func TestCount(t *testing.T) {
	c := shard.Count()
	if c < 2 || c > 64 || c&(c-1) != 0 || (c < runtime.GOMAXPROCS(0) && c < 64) {
		t.Fatalf("Count() = %d with GOMAXPROCS %d, want a power of two in [2, 64] covering the Ps", c, runtime.GOMAXPROCS(0))
	}
}

// TestIndexIsPerProcessor runs one goroutine per P, each locked to its
// thread: they must see every shard index in [0, GOMAXPROCS) — distinct
// Ps, distinct shards.
func TestIndexIsPerProcessor(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	mask := uint32(shard.Count() - 1)
	var wg sync.WaitGroup
	seen := make([]uint32, 4*procs)
	for g := range seen {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen[g] = shard.Index(mask)
		}()
	}
	wg.Wait()
	for _, i := range seen {
		if i > mask || int(i) >= max(procs, 1) && procs <= int(mask)+1 {
			t.Fatalf("Index(%d) = %d with %d Ps", mask, i, procs)
		}
	}
}

// TestPinIsPerProcessor: goroutines pinned at once see distinct processor
// numbers, each in [0, GOMAXPROCS).
func TestPinIsPerProcessor(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	for range 100 {
		p := shard.Pin()
		shard.Unpin()
		if p < 0 || p >= procs {
			t.Fatalf("Pin() = %d with GOMAXPROCS %d", p, procs)
		}
	}
}

// TestCounterOnEveryProcessor adds from more goroutines than processors,
// with GOMAXPROCS raised past the shards the counter was made with, so
// that both the per-processor shards and the shared one take adds; under
// the race detector it also checks the shared one's adds are atomic.
func TestCounterOnEveryProcessor(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	c := shard.NewCounter() // one processor's shard and the shared one
	runtime.GOMAXPROCS(4)
	const goroutines, adds = 8, 20000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range adds {
				if (g+i)%3 == 0 {
					c.Add(-1)
				} else {
					c.Add(2)
				}
			}
		})
	}
	wg.Wait()
	var want int64
	for g := range goroutines {
		for i := range adds {
			if (g+i)%3 == 0 {
				want--
			} else {
				want += 2
			}
		}
	}
	if got := c.Load(); got != want {
		t.Fatalf("Load() = %d after concurrent adds, want %d", got, want)
	}
	if got := c.Since(uint64(want) - 5); got != 5 {
		t.Fatalf("Since(Load()-5) = %d, want 5", got)
	}
}
