package slo

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// WriteFile writes a snapshot of the registry to path atomically: into a
// temporary file in the same directory, synced to disk, renamed over path,
// and the directory synced. A crash at any moment leaves path holding either
// the previous snapshot or the new one, whole.
func WriteFile(r *Registry, path string) error {
	var buf bytes.Buffer
	if err := r.Snapshot(&buf); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("slo: writing snapshot: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("slo: writing snapshot: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("slo: syncing snapshot: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("slo: writing snapshot: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("slo: replacing snapshot: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		err = d.Sync() // make the rename durable
		d.Close()
		if err != nil {
			return fmt.Errorf("slo: syncing snapshot directory: %w", err)
		}
	}
	return nil
}

// ReadFile restores the registry from the snapshot at path; see
// [Registry.Restore], whose skipped keys and errors it returns: with
// [ErrSnapshotMismatch] the entries that fit were restored (do not read the
// file again), and skipped is valid beside the error. A missing file fails
// with an error wrapping fs.ErrNotExist, which a first start can ignore.
func ReadFile(r *Registry, path string) (skipped []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("slo: reading snapshot: %w", err)
	}
	defer f.Close()
	return r.Restore(f)
}

// Persister writes a registry's snapshot to a file at an interval and once
// more when closed, so that a restart or a deploy does not reset a 30-day
// budget. It runs one goroutine, which Close ends.
type Persister struct {
	reg      *Registry
	path     string
	interval time.Duration
	onError  func(error)
	stop     chan struct{}
	done     chan struct{}
	closeErr error
	once     sync.Once
}

// DefaultPersistInterval is how often a Persister writes unless
// [WithPersistInterval] says otherwise.
const DefaultPersistInterval = time.Minute

// PersistOption configures [NewPersister].
type PersistOption interface {
	apply(*Persister)
}

type persistOption func(*Persister)

func (f persistOption) apply(p *Persister) { f(p) }

// WithPersistInterval sets how often the Persister writes; [NewPersister]
// fails with [ErrInvalidConfig] for an interval that is not positive.
func WithPersistInterval(d time.Duration) PersistOption {
	return persistOption(func(p *Persister) { p.interval = d })
}

// WithPersistErrors sets the function that receives the errors of the
// periodic writes, on the Persister's goroutine; by default, and with nil,
// they go to slog.Default().
func WithPersistErrors(f func(error)) PersistOption {
	return persistOption(func(p *Persister) { p.onError = f })
}

// NewPersister starts writing snapshots of r to path, every
// [DefaultPersistInterval] unless [WithPersistInterval] says otherwise. It
// does not read path: call [ReadFile] first to restore. It fails with
// [ErrInvalidConfig] without a registry or a path.
func NewPersister(r *Registry, path string, opts ...PersistOption) (*Persister, error) {
	if r == nil || path == "" {
		return nil, fmt.Errorf("%w: persister needs a registry and a path", ErrInvalidConfig)
	}
	p := &Persister{reg: r, path: path, interval: DefaultPersistInterval, stop: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		if o != nil {
			o.apply(p)
		}
	}
	if p.interval <= 0 {
		return nil, fmt.Errorf("%w: persister interval %v is not positive", ErrInvalidConfig, p.interval)
	}
	if p.onError == nil {
		p.onError = func(err error) {
			slog.Default().Error("slo: persisting snapshot", slog.String("path", path), slog.Any("error", err))
		}
	}
	go p.run(p.interval)
	return p, nil
}

func (p *Persister) run(interval time.Duration) {
	defer close(p.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if err := WriteFile(p.reg, p.path); err != nil {
				p.onError(err)
			}
		}
	}
}

// Close stops the periodic writes, waits for one in progress, and writes a
// last snapshot, whose error it returns. Calling it again returns the same.
func (p *Persister) Close() error {
	p.once.Do(func() {
		close(p.stop)
		<-p.done
		p.closeErr = WriteFile(p.reg, p.path)
	})
	return p.closeErr
}
