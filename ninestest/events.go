package ninestest

import (
	"slices"
	"sync"
)

// Events keeps the values given to Add, in order: pass its Add as a
// handler (slo.WithAlertHandler(events.Add)) and read what it received
// with All. It is safe for concurrent use; the zero value is empty and
// ready.
type Events[T any] struct {
	mu  sync.Mutex
	all []T
}

// Add keeps e.
func (ev *Events[T]) Add(e T) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.all = append(ev.all, e)
}

// All returns the values kept so far, oldest first. The slice is the
// caller's.
func (ev *Events[T]) All() []T {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return slices.Clone(ev.all)
}

// Len returns how many values were kept.
func (ev *Events[T]) Len() int {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return len(ev.all)
}
