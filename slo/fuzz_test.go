package slo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/sli"
	"github.com/nines-slo/nines/slo"
)

// FuzzRestore feeds arbitrary bytes to Registry.Restore. It must never
// panic; a corrupt input must be refused with ErrCorruptSnapshot and leave
// the registry exactly as it was; one with entries that do not fit gets
// ErrSnapshotMismatch; whatever was restored must snapshot again and
// restore again. The seeds are small (a few hundred bytes: real snapshots
// of a few events, and damaged ones), so that mutations reach every
// field; testdata/fuzz/FuzzRestore holds them. With -fuzzminimizetime 10x
// it runs about 10,000 inputs a second on a 2-core machine.
func FuzzRestore(f *testing.F) {
	clock, snap := smallSnapshot(f)
	f.Add(snap)
	f.Add([]byte("NINESNAP"))
	var dst *fleet // reused while inputs are refused: they change nothing
	f.Fuzz(func(t *testing.T, data []byte) {
		dst = restoreOrRefuse(t, clock, dst, data)
		// Mutations rarely keep the checksum right; try each input once more
		// with its checksum fixed, so that the entries are fuzzed too.
		if len(data) > 4 {
			fixed := bytes.Clone(data)
			binary.BigEndian.PutUint32(fixed[len(fixed)-4:], crc32.Checksum(fixed[:len(fixed)-4], castagnoli))
			dst = restoreOrRefuse(t, clock, dst, fixed)
		}
	})
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// smallSnapshot returns a clock and the snapshot of a fleet that saw a
// few events of each kind in a few cells: a seed of about 400 bytes.
func smallSnapshot(t testing.TB) (*ninestest.Clock, []byte) {
	clock := ninestest.NewClock(t0.Add(10 * day))
	f := newFleet(t, clock)
	for k := range 12 {
		at := clock.Now().Add(-time.Duration(k*k) * time.Minute)
		o := sli.Good
		if k%5 == 0 {
			o = sli.Bad
		}
		f.avail.RecordAt(at, o)
		f.home.RecordAt(at, o)
		f.search.RecordAt(at, sli.Invalid)
		f.latency.RecordAt(at, time.Duration(k*k)*time.Millisecond)
	}
	var buf bytes.Buffer
	if err := f.reg.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	return clock, buf.Bytes()
}

// restoreOrRefuse restores data into dst (a fresh fleet when nil) and
// checks the outcome; it returns dst when the restore changed nothing, so
// that the next input can use it, else nil.
func restoreOrRefuse(t *testing.T, clock *ninestest.Clock, dst *fleet, data []byte) *fleet {
	if dst == nil {
		dst = newFleet(t, clock)
		dst.avail.Record(1) // something to lose
	}
	before := dst.totals()
	_, err := dst.reg.Restore(bytes.NewReader(data))
	switch {
	case errors.Is(err, slo.ErrCorruptSnapshot):
		if diff := cmp.Diff(before, dst.totals()); diff != "" {
			t.Fatalf("a refused snapshot changed the registry (-before +after):\n%s", diff)
		}
		return dst
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
	return nil
}
