// Package limit reads inputs whole with a bound on what they may cost: a
// reader past its limit is refused before more than the limit (and a
// byte) is allocated.
package limit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
)

// ErrTooLarge reports an input longer than its limit.
var ErrTooLarge = errors.New("input larger than its limit")

// chunk is the most ReadAll reads into one buffer of a stream that does
// not say its length.
const chunk = 1 << 20

// ReadAll reads rd to its end. An input longer than limit bytes fails
// with [ErrTooLarge] once limit+1 bytes are read, having allocated no more
// than that and a chunk of 1 MiB: a stream is read in chunks (512 bytes,
// doubling to 1 MiB), joined once at its end. A reader that knows its
// length (a bytes.Reader, a bytes.Buffer, a regular file) is read into one
// allocation of that length, and one longer than limit is refused
// without reading.
func ReadAll(rd io.Reader, limit int) ([]byte, error) {
	if limit < 0 {
		return nil, fmt.Errorf("limit: negative limit %d", limit)
	}
	limit = min(limit, math.MaxInt-1) // limit+1 must not wrap
	size := int64(0)
	switch r := rd.(type) {
	case interface{ Len() int }:
		size = int64(r.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	if size > int64(limit) {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, size, limit)
	}
	lr := io.LimitReader(rd, int64(limit)+1)
	var chunks [][]byte
	total := 0
	next := max(int(size)+1, 512)
	for {
		b := make([]byte, 0, next)
		for len(b) < cap(b) {
			n, err := lr.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			total += n
			if total > limit {
				return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
			}
			if err == io.EOF {
				return join(append(chunks, b), total), nil
			}
			if err != nil {
				return nil, err
			}
		}
		chunks = append(chunks, b)
		next = min(max(2*len(b), 512), chunk, limit+1-total)
	}
}

// join returns the chunks as one slice of total bytes.
func join(chunks [][]byte, total int) []byte {
	if len(chunks) == 1 {
		return chunks[0]
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}
