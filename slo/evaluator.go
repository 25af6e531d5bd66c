package slo

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Evaluator computes the status of a registry's objectives at an interval,
// so that their alerts fire and resolve — and reach the handlers and the
// log — without anyone asking for a status. It runs one goroutine, which
// Close ends.
type Evaluator struct {
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// NewEvaluator starts evaluating r every interval (a minute is plenty for
// the default alerts, whose shortest window is 5 minutes). Errors computing
// a status go to slog.Default().
func NewEvaluator(r *Registry, interval time.Duration) (*Evaluator, error) {
	if r == nil || interval <= 0 {
		return nil, fmt.Errorf("%w: evaluator needs a registry and a positive interval, got %v", ErrInvalidConfig, interval)
	}
	e := &Evaluator{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-e.stop:
				return
			case <-t.C:
				if _, err := r.Status(); err != nil {
					slog.Default().Error("slo: evaluating objectives", slog.Any("error", err))
				}
			}
		}
	}()
	return e, nil
}

// Close stops the evaluator and waits for an evaluation in progress to end.
// It is safe to call more than once.
func (e *Evaluator) Close() {
	e.once.Do(func() { close(e.stop) })
	<-e.done
}
