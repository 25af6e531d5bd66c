package shard_test

import (
	"sync"
	"testing"

	"github.com/nines-slo/nines/internal/shard"
)

func TestCount(t *testing.T) {
	c := shard.Count()
	if c < 4 || c > 64 || c&(c-1) != 0 {
		t.Fatalf("Count() = %d, want a power of two in [4, 64]", c)
	}
}

func TestIndexInRange(t *testing.T) {
	const mask = 7
	var wg sync.WaitGroup
	seen := make([]uint32, 64)
	for g := range seen {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen[g] = shard.Index(mask)
		}()
	}
	wg.Wait()
	used := map[uint32]bool{}
	for _, i := range seen {
		if i > mask {
			t.Fatalf("Index(%d) = %d, out of range", mask, i)
		}
		used[i] = true
	}
	// 64 goroutines on 8 shards: all on one shard would mean the hash
	// does not spread stacks at all.
	if len(used) < 2 {
		t.Errorf("64 goroutines used %d shard(s), want them spread", len(used))
	}
}

func TestIndexStableInGoroutine(t *testing.T) {
	a, b := shard.Index(63), shard.Index(63)
	if a != b {
		t.Errorf("same goroutine, same frame depth: Index = %d then %d", a, b)
	}
}
