package slo

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// Registry is a set of objectives with unique names: the unit a service
// reports, snapshots and restores.
//
// A Registry is safe for concurrent use. The zero value is an empty
// registry, ready to use.
type Registry struct {
	mu    sync.RWMutex
	order []*Objective
	names map[string]*Objective
	keys  map[string]stateful // every snapshot key's SLI, so that Add checks only the new objective's
}

// NewRegistry returns a registry holding objs, in order. It fails with
// [ErrDuplicateName] when two share a name.
func NewRegistry(objs ...*Objective) (*Registry, error) {
	r := &Registry{}
	for _, o := range objs {
		if err := r.Add(o); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Add adds an objective. It fails with [ErrDuplicateName] when the registry
// already has one of that name, or when one of its snapshot keys (name, or
// name/part for an aggregate's parts) names another SLI; and with
// [ErrInvalidConfig] for nil.
func (r *Registry) Add(o *Objective) error {
	if o == nil {
		return fmt.Errorf("%w: nil objective", ErrInvalidConfig)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names == nil {
		r.names, r.keys = map[string]*Objective{}, map[string]stateful{}
	}
	if _, ok := r.names[o.name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateName, o.name)
	}
	// Snapshot keys must be unique too: an objective "browse/search" beside
	// an aggregate "browse" with a part "search" over another SLI is not.
	// The registry's keys have no conflict, so only the new objective's are
	// checked, against them and against each other: adding the n-th
	// objective costs the same as the first.
	added := map[string]stateful{}
	err := walkSLIs(o.name, o.src, func(key string, s stateful) error {
		prev, ok := added[key]
		if !ok {
			prev, ok = r.keys[key]
		}
		if ok && !same(prev, s) {
			return errDuplicateKey(key)
		}
		added[key] = s
		return nil
	})
	if err != nil {
		return err
	}
	maps.Copy(r.keys, added)
	r.names[o.name] = o
	r.order = append(r.order, o)
	return nil
}

// Get returns the objective named name, or [ErrNotFound].
func (r *Registry) Get(name string) (*Objective, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	o, ok := r.names[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	return o, nil
}

// Objectives returns the objectives in the order they were added. The
// slice is the caller's.
func (r *Registry) Objectives() []*Objective {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.order)
}

// Status returns the status of every objective now, each on its own
// clock, in order; see [Objective.Status]. One objective that fails does
// not stop the others: its status is [Failed], with the reason in
// [Status.Err], and the error returned joins every objective's error
// (nil when none failed), so the statuses are whole either way.
func (r *Registry) Status() ([]Status, error) {
	return r.statuses((*Objective).Status)
}

// StatusAt returns the status of every objective at t, in order, as
// [Registry.Status] does.
func (r *Registry) StatusAt(t time.Time) ([]Status, error) {
	return r.statuses(func(o *Objective) (Status, error) { return o.StatusAt(t) })
}

// Evaluate evaluates every objective's alerts now, each on its own clock,
// in order; see [Objective.Evaluate]. As with [Registry.Status], one that
// fails is reported with its status and never keeps the others from
// being evaluated.
func (r *Registry) Evaluate() ([]Status, error) {
	return r.statuses((*Objective).Evaluate)
}

func (r *Registry) statuses(status func(*Objective) (Status, error)) ([]Status, error) {
	objs := r.Objectives()
	out := make([]Status, len(objs))
	var errs []error
	for i, o := range objs {
		var err error
		if out[i], err = status(o); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}
