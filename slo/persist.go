package slo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// WriteFile writes a snapshot of the registry to path atomically: into a
// temporary file in the same directory, synced to disk, renamed over path,
// and the directory synced. A crash at any moment leaves path holding either
// the previous snapshot or the new one, whole.
//
// The temporary file is named after the snapshot, "." + its name +
// ".nines-tmp-" and a random suffix, and a crash may leave it behind: every
// WriteFile removes the ones of its path it finds, so none outlives the
// next successful write. One process writes a path at a time (in-process
// writers of one path take turns); another writing the same path at the
// same moment may lose its temporary file and fail.
//
// An existing snapshot keeps its permission bits; a new one is created
// readable by its owner alone (0600). When path is a symbolic link, the
// snapshot is written through it, to the file it names (in that file's
// directory), and the link stays; a directory is refused. Temporary files
// of earlier builds (".<name>.tmp-*") are not nines' pattern and are
// left alone.
func WriteFile(r *Registry, path string) error {
	var buf bytes.Buffer
	if err := r.Snapshot(&buf); err != nil {
		return err
	}
	target, err := resolveLinks(path)
	if err != nil {
		return fmt.Errorf("slo: writing snapshot: %w", err)
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	if fi, err := os.Stat(target); base == "" || err == nil && fi.IsDir() {
		return fmt.Errorf("slo: writing snapshot: %s is a directory, not a file", path)
	}
	mu := writeLock(dir, base)
	mu.Lock()
	defer mu.Unlock()
	removeDebris(dir, base)
	f, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return fmt.Errorf("slo: writing snapshot: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if fi, err := os.Stat(target); err == nil {
		if err := f.Chmod(fi.Mode().Perm()); err != nil {
			f.Close()
			return fmt.Errorf("slo: writing snapshot: keeping its mode: %w", err)
		}
	}
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
	if err := os.Rename(tmp, target); err != nil {
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

// tempPrefix is the start of the name of the temporary files a snapshot
// named base is written through: a pattern only nines uses.
func tempPrefix(base string) string { return "." + base + ".nines-tmp-" }

// removeDebris removes the temporary files a crashed WriteFile of
// dir/base left: only regular files that start with tempPrefix(base).
func removeDebris(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // CreateTemp will say what is wrong with dir
	}
	prefix := tempPrefix(base)
	for _, e := range entries {
		// CreateTemp's random part is digits: ".x.nines-tmp-y.nines-tmp-1",
		// snapshot x.nines-tmp-y's, is not x's.
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if ok && rest != "" && strings.Trim(rest, "0123456789") == "" && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// writeLocks holds one mutex per snapshot path being written, so that
// writers in one process take turns (and none removes another's
// temporary file as debris).
var writeLocks sync.Map // string → *sync.Mutex

// writeLock returns the mutex of the snapshot base in dir, by the
// directory's real path, so that every spelling of one file shares it.
func writeLock(dir, base string) *sync.Mutex {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	mu, _ := writeLocks.LoadOrStore(filepath.Join(dir, base), new(sync.Mutex))
	return mu.(*sync.Mutex)
}

// maxLinks bounds the symbolic links resolveLinks follows, as the
// kernel's ELOOP does.
const maxLinks = 40

// errLinkLoop reports a chain of symbolic links too long to follow.
var errLinkLoop = errors.New("too many levels of symbolic links")

// resolveLinks returns the file path names after following symbolic links
// at its last element: path itself when it is not a link or does not
// exist yet, else the file at the end of the chain (which need not exist:
// a dangling link is written through too).
func resolveLinks(path string) (string, error) {
	given := path
	for range maxLinks {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", &fs.PathError{Op: "resolve", Path: given, Err: errLinkLoop}
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
