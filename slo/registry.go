package slo

import (
	"fmt"
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
		r.names = map[string]*Objective{}
	}
	if _, ok := r.names[o.name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateName, o.name)
	}
	// Snapshot keys must be unique too: an objective "browse/search" beside
	// an aggregate "browse" with a part "search" over another SLI is not.
	if _, err := keyedSLIs(append(slices.Clone(r.order), o)); err != nil {
		return err
	}
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

// Status returns the status of every objective now, in order; see
// [Objective.Status].
func (r *Registry) Status() ([]Status, error) {
	out := make([]Status, 0, len(r.Objectives()))
	for _, o := range r.Objectives() {
		s, err := o.Status()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// StatusAt returns the status of every objective at t, in order.
func (r *Registry) StatusAt(t time.Time) ([]Status, error) {
	objs := r.Objectives()
	out := make([]Status, 0, len(objs))
	for _, o := range objs {
		s, err := o.StatusAt(t)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
