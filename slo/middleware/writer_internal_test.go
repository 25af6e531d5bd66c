package middleware

import (
	"testing"
	"unsafe"
)

// TestWriterSize keeps the per-request allocation in the 48-byte size
// class: every byte of it is a share of a garbage collection, which the
// middleware's overhead benchmark measures.
func TestWriterSize(t *testing.T) {
	if n := unsafe.Sizeof(writer{}); n > 48 {
		t.Errorf("writer is %d bytes, want at most 48", n)
	}
}
