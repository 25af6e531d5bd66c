package slo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"time"

	"github.com/nines-slo/nines/sli"
)

// A snapshot is, in order: the magic "NINESNAP"; a version (uint16, big
// endian); the time it was taken (int64 Unix nanoseconds); the number of
// entries (uvarint); per entry a key and an encoded sli.State, each as a
// uvarint length and bytes; and a CRC-32C (Castagnoli) of everything before
// it (uint32, big endian).
const (
	snapshotMagic   = "NINESNAP"
	snapshotVersion = 1
	// maxSnapshot bounds what Restore reads: far above a registry of
	// thousands of latency objectives, far below what would hurt a process.
	maxSnapshot = 256 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stateful is an SLI whose state a snapshot carries.
type stateful interface {
	State() *sli.State
	Accepts(*sli.State) error
	Add(*sli.State) error
}

var (
	_ stateful = (*sli.Ratio)(nil)
	_ stateful = (*sli.Latency)(nil)
)

type keyed struct {
	key string
	sli stateful
}

// slis lists the registry's recording SLIs with their snapshot keys: the
// objective's name, and name/part for the parts of an aggregated SLI. An SLI
// shared by several objectives (a component's SLI inside the system's
// aggregate) appears once, under its first key. Sources other than the sli
// package's carry no state.
func (r *Registry) slis() ([]keyed, error) {
	var out []keyed
	seen := map[stateful]bool{}
	keys := map[string]bool{}
	var walk func(key string, src sli.Source) error
	walk = func(key string, src sli.Source) error {
		switch s := src.(type) {
		case stateful:
			if seen[s] {
				return nil
			}
			if keys[key] {
				return fmt.Errorf("%w: two SLIs have the snapshot key %q", ErrInvalidConfig, key)
			}
			seen[s], keys[key] = true, true
			out = append(out, keyed{key, s})
		case *sli.Aggregated:
			for _, p := range s.Parts() {
				if err := walk(key+"/"+p.Name, p.SLI); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, o := range r.Objectives() {
		if err := walk(o.name, o.src); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// snapshot is a decoded snapshot.
type snapshot struct {
	at      time.Time
	keys    []string
	entries map[string]*sli.State
}

func (s *snapshot) encode(w io.Writer) error {
	b := []byte(snapshotMagic)
	b = binary.BigEndian.AppendUint16(b, snapshotVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(s.at.UnixNano()))
	b = binary.AppendUvarint(b, uint64(len(s.keys)))
	for _, k := range s.keys {
		st := s.entries[k].Encode()
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(st)))
		b = append(b, st...)
	}
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	_, err := w.Write(b)
	return err
}

func decodeSnapshot(rd io.Reader) (*snapshot, error) {
	data, err := io.ReadAll(io.LimitReader(rd, maxSnapshot+1))
	if err != nil {
		return nil, fmt.Errorf("slo: reading snapshot: %w", err)
	}
	fail := func(format string, args ...any) (*snapshot, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrCorruptSnapshot}, args...)...)
	}
	switch {
	case len(data) > maxSnapshot:
		return fail("larger than %d bytes", maxSnapshot)
	case len(data) < len(snapshotMagic)+2+8+1+4 || !bytes.HasPrefix(data, []byte(snapshotMagic)):
		return fail("not a nines snapshot")
	}
	if v := binary.BigEndian.Uint16(data[8:]); v != snapshotVersion {
		return fail("version %d, this build reads version %d", v, snapshotVersion)
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return fail("checksum mismatch: truncated or damaged")
	}
	s := &snapshot{at: time.Unix(0, int64(binary.BigEndian.Uint64(data[10:]))), entries: map[string]*sli.State{}}
	d := body[18:]
	chunk := func() ([]byte, bool) {
		n, k := binary.Uvarint(d)
		if k <= 0 || n > uint64(len(d)-k) {
			return nil, false
		}
		c := d[k : k+int(n)]
		d = d[k+int(n):]
		return c, true
	}
	n, k := binary.Uvarint(d)
	if k <= 0 || n > uint64(len(d)) {
		return fail("entry count")
	}
	d = d[k:]
	for range n {
		key, ok1 := chunk()
		st, ok2 := chunk()
		if !ok1 || !ok2 {
			return fail("entry")
		}
		if _, dup := s.entries[string(key)]; dup {
			return fail("key %q twice", key)
		}
		state, err := sli.DecodeState(st)
		if err != nil {
			return fail("entry %q: %v", key, err)
		}
		s.keys = append(s.keys, string(key))
		s.entries[string(key)] = state
	}
	if len(d) != 0 {
		return fail("%d bytes after the last entry", len(d))
	}
	return s, nil
}

// Snapshot writes the recorded state of every SLI of the registry's
// objectives to w: buckets with their times, totals, histograms. Restore
// reads it back into a registry with the same objectives; MergeSnapshots
// combines the snapshots of several replicas.
//
// Objective definitions are not in the snapshot — they are code — and
// sli.Sources other than the sli package's SLIs have no state to write.
func (r *Registry) Snapshot(w io.Writer) error {
	return r.SnapshotAt(w, time.Now())
}

// SnapshotAt is Snapshot, with the snapshot stamped as taken at t.
func (r *Registry) SnapshotAt(w io.Writer, t time.Time) error {
	ks, err := r.slis()
	if err != nil {
		return err
	}
	s := &snapshot{at: t, entries: map[string]*sli.State{}}
	for _, k := range ks {
		s.keys = append(s.keys, k.key)
		s.entries[k.key] = k.sli.State()
	}
	return s.encode(w)
}

// Restore reads a snapshot from rd and adds its state to the registry's
// SLIs, each bucket at its own time: restored at t1, a snapshot taken at t0
// is aged by t1 − t0. Restore adds rather than replaces, so events recorded
// since the process started are kept, and restoring several replicas'
// snapshots into one registry gives the exact fleet-wide view (counts add,
// histograms merge). Entries for SLIs the registry no longer has are
// skipped.
//
// A truncated, corrupted or foreign snapshot fails with ErrCorruptSnapshot,
// and one whose entries do not fit the registry's SLIs (a ratio state for a
// latency SLI, another histogram layout) with ErrSnapshotMismatch; either
// way the registry is unchanged.
func (r *Registry) Restore(rd io.Reader) error {
	s, err := decodeSnapshot(rd)
	if err != nil {
		return err
	}
	ks, err := r.slis()
	if err != nil {
		return err
	}
	// Check every entry before adding any.
	for _, k := range ks {
		if st, ok := s.entries[k.key]; ok {
			if err := k.sli.Accepts(st); err != nil {
				return fmt.Errorf("%w: %q: %v", ErrSnapshotMismatch, k.key, err)
			}
		}
	}
	for _, k := range ks {
		if st, ok := s.entries[k.key]; ok {
			if err := k.sli.Add(st); err != nil {
				return fmt.Errorf("%w: %q: %v", ErrSnapshotMismatch, k.key, err) // not reached: checked above
			}
		}
	}
	return nil
}

// MergeSnapshots combines the snapshots of several replicas into one,
// written to w: the state under each key is merged (counts add, histograms
// merge), so restoring the result equals restoring each input. It fails with
// ErrCorruptSnapshot if any input is corrupt and ErrSnapshotMismatch if two
// inputs disagree on an SLI's kind or histogram layout; nothing is written
// then.
func MergeSnapshots(w io.Writer, snapshots ...io.Reader) error {
	merged := &snapshot{entries: map[string]*sli.State{}}
	for i, rd := range snapshots {
		s, err := decodeSnapshot(rd)
		if err != nil {
			return fmt.Errorf("snapshot %d: %w", i, err)
		}
		if s.at.After(merged.at) {
			merged.at = s.at
		}
		for _, k := range s.keys {
			prev, ok := merged.entries[k]
			if !ok {
				merged.keys = append(merged.keys, k)
				merged.entries[k] = s.entries[k]
				continue
			}
			m, err := sli.MergeStates(prev, s.entries[k])
			if err != nil {
				return fmt.Errorf("%w: snapshot %d, %q: %v", ErrSnapshotMismatch, i, k, err)
			}
			merged.entries[k] = m
		}
	}
	slices.Sort(merged.keys)
	return merged.encode(w)
}
