package slo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/slo"
)

// FuzzRestore feeds arbitrary bytes to Registry.Restore. It must never
// panic; a corrupt input must be refused with ErrCorruptSnapshot and leave
// the registry exactly as it was; one with entries that do not fit gets
// ErrSnapshotMismatch; whatever was restored must snapshot again and
// restore again. The seed corpus in
// testdata/fuzz/FuzzRestore holds real snapshots and damaged ones.
func FuzzRestore(f *testing.F) {
	clock, _, snap := dayOfTraffic(f)
	f.Add(snap)
	f.Add([]byte("NINESNAP"))
	f.Fuzz(func(t *testing.T, data []byte) {
		restoreOrRefuse(t, clock, data)
		// Mutations rarely keep the checksum right; try each input once more
		// with its checksum fixed, so that the entries are fuzzed too.
		if len(data) > 4 {
			fixed := bytes.Clone(data)
			binary.BigEndian.PutUint32(fixed[len(fixed)-4:], crc32.Checksum(fixed[:len(fixed)-4], crc32.MakeTable(crc32.Castagnoli)))
			restoreOrRefuse(t, clock, fixed)
		}
	})
}

func restoreOrRefuse(t *testing.T, clock *ninestest.Clock, data []byte) {
	{
		dst := newFleet(t, clock)
		dst.avail.Record(1) // something to lose
		before := dst.totals()
		_, err := dst.reg.Restore(bytes.NewReader(data))
		switch {
		case errors.Is(err, slo.ErrCorruptSnapshot):
			if diff := cmp.Diff(before, dst.totals()); diff != "" {
				t.Fatalf("a refused snapshot changed the registry (-before +after):\n%s", diff)
			}
			return
		case err != nil && !errors.Is(err, slo.ErrSnapshotMismatch):
			t.Fatalf("Restore error %v is neither ErrCorruptSnapshot nor ErrSnapshotMismatch", err)
		}
		var again bytes.Buffer
		if err := dst.reg.Snapshot(&again); err != nil {
			t.Fatal(err)
		}
		if _, err := newFleet(t, clock).reg.Restore(&again); err != nil {
			t.Fatalf("re-restoring an accepted snapshot's successor: %v", err)
		}
	}
}
