package slo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/nines-slo/nines/internal/limit"
	"github.com/nines-slo/nines/internal/wire"
	"github.com/nines-slo/nines/sli"
)

// A snapshot is, in order: the magic "NINESNAP"; a version (uint16, big
// endian); the time it was taken (int64 Unix nanoseconds); the number of
// entries (uvarint); per entry a key and an encoded [sli.State], each as a
// uvarint length and bytes; and a CRC-32C (Castagnoli) of everything before
// it (uint32, big endian).
const (
	snapshotMagic = "NINESNAP"
	// snapshotVersion is the version written. Version 2 carries version-2
	// sli states (cells at their own widths, the source's present);
	// version 1, whose states the sli package still decodes, restores too.
	snapshotVersion = 2
	// maxSnapshot bounds what Restore reads: far above a registry of
	// thousands of latency objectives, far below what would hurt a process.
	maxSnapshot = 256 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stateful is an SLI whose state a snapshot carries.
type stateful = sli.Stateful

// keyed is one recording SLI with every key it is reachable by.
type keyed struct {
	keys []string // sorted
	sli  stateful
}

// keyedSLIs lists the recording SLIs of objs with their snapshot keys: an
// objective's name, and name/part for the parts of an aggregated SLI. An SLI
// shared by several objectives (a component's SLI inside the system's
// aggregate) is listed once with all its keys, so that snapshots match it
// whatever order objectives are registered in. Sources other than the sli
// package's carry no state. Two SLIs under one key is an error.
func keyedSLIs(objs []*Objective) ([]keyed, error) {
	var out []*keyed
	bySLI := map[stateful]*keyed{}
	owner := map[string]stateful{}
	visit := func(key string, s stateful) error {
		if prev, ok := owner[key]; ok && !same(prev, s) {
			return errDuplicateKey(key)
		}
		owner[key] = s
		// An SLI whose type cannot be compared is never found shared.
		comparable := reflect.TypeOf(s).Comparable()
		k := (*keyed)(nil)
		if comparable {
			k = bySLI[s]
		}
		if k == nil {
			k = &keyed{sli: s}
			out = append(out, k)
			if comparable {
				bySLI[s] = k
			}
		}
		if !slices.Contains(k.keys, key) {
			k.keys = append(k.keys, key)
		}
		return nil
	}
	for _, o := range objs {
		if err := walkSLIs(o.name, o.src, visit); err != nil {
			return nil, err
		}
	}
	res := make([]keyed, len(out))
	for i, k := range out {
		slices.Sort(k.keys)
		res[i] = *k
	}
	return res, nil
}

// walkSLIs calls visit with every recording SLI under src and its snapshot
// key: key itself for a recording SLI, key/part for an aggregate's parts,
// and each component objective's name for a composite's components.
func walkSLIs(key string, src sli.Source, visit func(key string, s stateful) error) error {
	switch s := src.(type) {
	case stateful:
		return visit(key, s)
	case *sli.Aggregated:
		for _, p := range s.Parts() {
			if err := walkSLIs(key+"/"+p.Name, p.SLI, visit); err != nil {
				return err
			}
		}
	case *Composite:
		// Its components' SLIs, under their objectives' names.
		for _, p := range s.parts {
			if err := walkSLIs(p.Objective.name, p.Objective.src, visit); err != nil {
				return err
			}
		}
	}
	return nil
}

// errDuplicateKey is the error for two SLIs under one snapshot key.
func errDuplicateKey(key string) error {
	return fmt.Errorf("%w: two SLIs have the snapshot key %q", ErrDuplicateName, key)
}

// same reports whether x and y are one SLI: equal, where their type can be
// compared. A user's SLI type that cannot be (a struct holding a slice,
// say) is never taken for another, nor found shared.
func same(x, y stateful) bool {
	t := reflect.TypeOf(x)
	return t == reflect.TypeOf(y) && t.Comparable() && x == y
}

// entry is one SLI's state in a snapshot, with all its keys.
type entry struct {
	keys  []string // sorted
	state *sli.State
}

// snapshot is a decoded snapshot.
type snapshot struct {
	at      time.Time
	entries []entry
}

func (s *snapshot) encode(w io.Writer) error {
	states := make([][]byte, len(s.entries))
	size := len(snapshotMagic) + 2 + 8 + 10 + 4
	for i, e := range s.entries {
		states[i] = e.state.Encode()
		size += len(states[i]) + 10
		for _, k := range e.keys {
			size += len(k) + 10
		}
	}
	b := make([]byte, 0, size)
	b = append(b, snapshotMagic...)
	b = binary.BigEndian.AppendUint16(b, snapshotVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(s.at.UnixNano()))
	b = binary.AppendUvarint(b, uint64(len(s.entries)))
	for i, e := range s.entries {
		b = binary.AppendUvarint(b, uint64(len(e.keys)))
		for _, k := range e.keys {
			b = binary.AppendUvarint(b, uint64(len(k)))
			b = append(b, k...)
		}
		b = binary.AppendUvarint(b, uint64(len(states[i])))
		b = append(b, states[i]...)
	}
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	_, err := w.Write(b)
	return err
}

func decodeSnapshot(rd io.Reader) (*snapshot, error) {
	fail := func(format string, args ...any) (*snapshot, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrCorruptSnapshot}, args...)...)
	}
	data, err := limit.ReadAll(rd, maxSnapshot)
	switch {
	case errors.Is(err, limit.ErrTooLarge):
		return fail("larger than %d bytes", maxSnapshot)
	case err != nil:
		return nil, fmt.Errorf("slo: reading snapshot: %w", err)
	case len(data) < len(snapshotMagic)+2+8+1+4 || !bytes.HasPrefix(data, []byte(snapshotMagic)):
		return fail("not a nines snapshot")
	}
	if v := binary.BigEndian.Uint16(data[8:]); v != 1 && v != snapshotVersion {
		return fail("version %d, this build reads versions 1 and %d", v, snapshotVersion)
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return fail("checksum mismatch: truncated or damaged")
	}
	s := &snapshot{at: time.Unix(0, int64(binary.BigEndian.Uint64(data[10:])))}
	d := wire.NewReader(body[18:])
	n := d.Count(2) // an entry takes at least a key count and a state length
	if !d.OK() {
		return fail("entry count")
	}
	seen := map[string]bool{}
	for range n {
		nk := d.Count(1)
		if !d.OK() || nk == 0 {
			return fail("key count")
		}
		var e entry
		for range nk {
			key := d.Bytes()
			if !d.OK() {
				return fail("key")
			}
			if seen[string(key)] {
				return fail("key %q twice", key)
			}
			seen[string(key)] = true
			e.keys = append(e.keys, string(key))
		}
		st := d.Bytes()
		if !d.OK() {
			return fail("entry %q", e.keys[0])
		}
		if e.state, err = sli.DecodeState(st); err != nil {
			return fail("entry %q: %v", e.keys[0], err)
		}
		slices.Sort(e.keys)
		s.entries = append(s.entries, e)
	}
	if d.Len() != 0 {
		return fail("%d bytes after the last entry", d.Len())
	}
	return s, nil
}

// Snapshot writes the recorded state of every SLI of the registry's
// objectives to w: time cells with their times, totals, histograms. Restore
// reads it back into a registry with the same objectives; [MergeSnapshots]
// combines the snapshots of several replicas.
//
// Objective definitions are not in the snapshot — they are code — and
// sli.Sources other than the sli package's SLIs have no state to write.
func (r *Registry) Snapshot(w io.Writer) error {
	return r.SnapshotAt(w, time.Now())
}

// SnapshotAt is Snapshot, with the snapshot stamped as taken at t (the
// stamp is information for people; Restore places cells by their own
// times).
func (r *Registry) SnapshotAt(w io.Writer, t time.Time) error {
	ks, err := keyedSLIs(r.Objectives())
	if err != nil {
		return err
	}
	s := &snapshot{at: t}
	for _, k := range ks {
		s.entries = append(s.entries, entry{keys: k.keys, state: k.sli.State()})
	}
	return s.encode(w)
}

// Restore reads a snapshot from rd and adds its state to the registry's
// SLIs, each cell at its own time: restored at t1, a snapshot taken at t0
// is aged by t1 − t0. Restore adds rather than replaces, so events recorded
// since the process started are kept, and restoring several replicas'
// snapshots into one registry gives the exact fleet-wide view (counts add,
// histograms merge). An entry goes to every SLI it shares a key with (an
// objective's name, or name/part inside an aggregate), whatever order the
// objectives were registered in; the keys of entries that matched no SLI
// (objectives since removed or renamed) are returned as skipped. Alert
// states are not in snapshots: an alert firing before a restart fires again
// after it, once its windows show the burn again.
//
// A truncated, corrupted or foreign snapshot fails with [ErrCorruptSnapshot]
// and changes nothing. An entry that does not fit its SLI (a ratio state
// for a latency SLI, a histogram of another range or precision, as after
// a change of an objective's settings) is refused for that SLI alone: every
// entry that fits is restored, and the error wraps [ErrSnapshotMismatch]
// and names each SLI that kept its state. One changed objective never
// costs the others their history.
func (r *Registry) Restore(rd io.Reader) (skipped []string, err error) {
	s, err := decodeSnapshot(rd)
	if err != nil {
		return nil, err
	}
	ks, err := keyedSLIs(r.Objectives())
	if err != nil {
		return nil, err
	}
	used := make([]bool, len(s.entries))
	var refused []error
	for _, k := range ks {
		for i, e := range s.entries {
			if !sharesKey(k.keys, e.keys) {
				continue
			}
			used[i] = true
			// Add changes nothing when it fails.
			if err := k.sli.Add(e.state); err != nil {
				refused = append(refused, fmt.Errorf("%q: %w", k.keys[0], err))
			}
		}
	}
	for i, e := range s.entries {
		if !used[i] {
			skipped = append(skipped, e.keys...)
		}
	}
	if len(refused) > 0 {
		return skipped, fmt.Errorf("%w: %w", ErrSnapshotMismatch, errors.Join(refused...))
	}
	return skipped, nil
}

// union returns the sorted union of two sorted key lists.
func union(a, b []string) []string {
	u := slices.Concat(a, b)
	slices.Sort(u)
	return slices.Compact(u)
}

// sharesKey reports whether two sorted key lists have a key in common.
func sharesKey(a, b []string) bool {
	for _, k := range a {
		if _, ok := slices.BinarySearch(b, k); ok {
			return true
		}
	}
	return false
}

// MergeSnapshots combines the snapshots of several replicas into one,
// written to w: entries with the same keys are merged (counts add,
// histograms merge), so restoring the result equals restoring each input.
// It fails with [ErrCorruptSnapshot] if any input is corrupt and
// [ErrSnapshotMismatch] if two inputs disagree on an SLI's kind or histogram
// layout; nothing is written then.
func MergeSnapshots(w io.Writer, snapshots ...io.Reader) error {
	// Entries that share a key, across and within snapshots, form one
	// group, found through an index of keys: a merge of n entries takes
	// O(n log n), not a scan of the groups for every entry.
	type group struct {
		keys   []string
		states []*sli.State
		merged bool // folded into another group
	}
	var groups []*group
	byKey := map[string]*group{}
	merged := &snapshot{}
	for i, rd := range snapshots {
		s, err := decodeSnapshot(rd)
		if err != nil {
			return fmt.Errorf("snapshot %d: %w", i, err)
		}
		if s.at.After(merged.at) {
			merged.at = s.at
		}
		for _, e := range s.entries {
			var g *group
			for _, k := range e.keys {
				h := byKey[k]
				switch {
				case h == nil || h == g:
				case g == nil:
					g = h
				default: // e joins two groups
					g.keys = union(g.keys, h.keys)
					g.states = append(g.states, h.states...)
					h.merged = true
					for _, hk := range h.keys {
						byKey[hk] = g
					}
				}
			}
			if g == nil {
				g = &group{}
				groups = append(groups, g)
			}
			g.keys = union(g.keys, e.keys)
			g.states = append(g.states, e.state)
			for _, k := range g.keys {
				byKey[k] = g
			}
		}
	}
	for _, g := range groups {
		if g.merged {
			continue
		}
		st, err := sli.MergeStates(g.states...)
		if err != nil {
			return fmt.Errorf("%w: %q: %v", ErrSnapshotMismatch, g.keys[0], err)
		}
		merged.entries = append(merged.entries, entry{keys: g.keys, state: st})
	}
	slices.SortFunc(merged.entries, func(a, b entry) int { return strings.Compare(a.keys[0], b.keys[0]) })
	return merged.encode(w)
}

// ReadStates reads a snapshot without a registry: it returns the state of
// every SLI in it, under each of the SLI's keys (the names of the
// objectives that share it; name/part for the parts of an aggregate). It
// is how a tool that knows objectives only by name — a release gate, an
// offline report — reads snapshots: merge a key's states across replicas
// with [sli.MergeStates] and add the result to a fresh SLI. A truncated,
// corrupted or foreign snapshot fails with [ErrCorruptSnapshot].
func ReadStates(rd io.Reader) (map[string]*sli.State, error) {
	s, err := decodeSnapshot(rd)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*sli.State)
	for _, e := range s.entries {
		for _, k := range e.keys {
			out[k] = e.state
		}
	}
	return out, nil
}
