package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// zeros is an endless stream of zero bytes that does not say its length.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// snapshotScenario restores a 300 MiB stream and thousands of damaged
// snapshots (bit flips, truncations, insertions, with the checksum fixed
// or not): the stream is refused at the 256 MiB limit having allocated
// little more, every corrupt input is refused with the registry as it
// was, and none panics.
func snapshotScenario(s *suite) ([]figure, []string) {
	var broken []string
	fresh := func() (*slo.Registry, *sli.Ratio) {
		s := mustService()
		return s.reg, s.avail
	}

	// 300 MiB that start like a snapshot.
	reg, _ := fresh()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := reg.Restore(io.MultiReader(strings.NewReader("NINESNAP"), io.LimitReader(zeros{}, 300<<20)))
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	if !errors.Is(err, slo.ErrCorruptSnapshot) {
		broken = append(broken, fmt.Sprintf("a 300 MiB stream: %v, want ErrCorruptSnapshot", err))
	}
	if allocated > 258<<20 {
		broken = append(broken, fmt.Sprintf("refusing a 300 MiB stream allocated %d MiB, over the 256 MiB limit", allocated>>20))
	}

	src, _ := persisted()
	var buf bytes.Buffer
	src.Snapshot(&buf)
	good := buf.Bytes()
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	rng := rand.New(rand.NewPCG(8, 9))
	inputs := s.n(4000)
	refused, mismatched, accepted := 0, 0, 0
	var slowest time.Duration
	dst, avail := fresh()
	avail.Record(sli.Good) // something to lose
	for k := range inputs {
		data := bytes.Clone(good)
		switch k % 3 {
		case 0:
			for range 1 + rng.IntN(4) {
				data[rng.IntN(len(data))] ^= 1 << rng.IntN(8)
			}
		case 1:
			data = data[:rng.IntN(len(data))]
		case 2:
			at := rng.IntN(len(data))
			junk := make([]byte, 1+rng.IntN(16))
			for i := range junk {
				junk[i] = byte(rng.IntN(256))
			}
			data = append(data[:at:at], append(junk, data[at:]...)...)
		}
		if k%2 == 0 && len(data) > 4 { // fixed checksum: the entries are checked, not just the sum
			binary.BigEndian.PutUint32(data[len(data)-4:], crc32.Checksum(data[:len(data)-4], castagnoli))
		}
		before := avail.Totals()
		start := time.Now()
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					broken = append(broken, fmt.Sprintf("input %d panicked: %v", k, p))
				}
			}()
			_, err = dst.Restore(bytes.NewReader(data))
		}()
		slowest = max(slowest, time.Since(start))
		switch {
		case errors.Is(err, slo.ErrCorruptSnapshot):
			refused++
			if avail.Totals() != before {
				broken = append(broken, fmt.Sprintf("input %d was refused but changed the registry", k))
			}
			continue
		case errors.Is(err, slo.ErrSnapshotMismatch):
			mismatched++
		case err != nil:
			broken = append(broken, fmt.Sprintf("input %d: %v, neither corrupt nor a mismatch", k, err))
		default:
			accepted++
		}
		dst, avail = fresh() // it took some state: start again
		avail.Record(sli.Good)
		if len(broken) > 10 {
			break
		}
	}
	return []figure{
		fig("300 MiB stream", "refused in %v, %d MiB allocated", took.Round(time.Millisecond), allocated>>20),
		fig("damaged snapshots", "%d", inputs),
		fig("refused", "%d", refused),
		fig("partly restored (mismatch)", "%d", mismatched),
		fig("restored (damage in values)", "%d", accepted),
		fig("slowest", "%v", slowest.Round(time.Microsecond)),
	}, broken
}
