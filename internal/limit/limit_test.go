package limit

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/iotest"
)

// zeros is an endless stream of zero bytes that does not say its length.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestReadAllRefusesBeforeAllocating: a stream longer than the limit is
// refused having allocated at most the limit and a little more (io.ReadAll
// would double past it); inputs within the limit are read whole, from
// every kind of reader.
func TestReadAllRefusesBeforeAllocating(t *testing.T) {
	const lim = 4 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ReadAll(io.LimitReader(zeros{}, 3*lim), lim)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a stream of 3× the limit: %v, want ErrTooLarge", err)
	}
	// io.ReadAll of the same stream allocates about 2.5 times the limit.
	if got := after.TotalAlloc - before.TotalAlloc; got > lim+chunk+64<<10 {
		t.Errorf("refusing a stream of %d bytes allocated %d bytes, want at most the limit %d and a chunk", 3*lim, got, lim)
	}
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = ReadAll(bytes.NewReader(make([]byte, 3*lim)), lim)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a bytes.Reader of 3× the limit: %v, want ErrTooLarge", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc - 3*lim; got > 64<<10 {
		t.Errorf("refusing a bytes.Reader by its length allocated %d bytes beyond its own", got)
	}
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, make([]byte, lim+1), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = ReadAll(f, lim)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a file one byte over: %v, want ErrTooLarge", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
		t.Errorf("refusing a file by its size allocated %d bytes", got)
	}
	for _, n := range []int{0, 1, 511, 512, 513, chunk + 1, 3*chunk + 7, lim} {
		want := bytes.Repeat([]byte{7}, n)
		for name, rd := range map[string]io.Reader{"bytes": bytes.NewReader(want), "stream": io.MultiReader(bytes.NewReader(want))} {
			got, err := ReadAll(rd, lim)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s of %d bytes: %d bytes, %v", name, n, len(got), err)
			}
		}
	}
}

// TestReadAllReaders reads whole inputs from every kind of reader, sized
// or not, and passes a reader's error on.
func TestReadAllReaders(t *testing.T) {
	data := bytes.Repeat([]byte("nines"), 1000)
	path := filepath.Join(t.TempDir(), "snapshot")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, rd := range map[string]io.Reader{
		"bytes.Reader":   bytes.NewReader(data),
		"bytes.Buffer":   bytes.NewBuffer(data),
		"file":           f,
		"one byte reads": iotest.OneByteReader(bytes.NewReader(data)),
	} {
		got, err := ReadAll(rd, len(data))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: read %d bytes, %v; want %d", name, len(got), err, len(data))
		}
	}
	if _, err := ReadAll(iotest.OneByteReader(bytes.NewReader(data)), len(data)-1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte past the limit: %v, want ErrTooLarge", err)
	}
	if got, err := ReadAll(bytes.NewReader(data), math.MaxInt); err != nil || !bytes.Equal(got, data) {
		t.Errorf("the largest limit: %d bytes, %v", len(got), err)
	}
	if _, err := ReadAll(bytes.NewReader(data), -1); err == nil {
		t.Error("a negative limit: no error")
	}
	if _, err := ReadAll(iotest.ErrReader(io.ErrUnexpectedEOF), 100); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a failing reader: %v", err)
	}
}
