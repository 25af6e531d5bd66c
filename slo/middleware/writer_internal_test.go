package middleware

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// TestRequestSize keeps Handler's one allocation in the 384-byte size
// class on 64-bit platforms.
func TestRequestSize(t *testing.T) {
	if n := unsafe.Sizeof(request{}); unsafe.Sizeof(uintptr(0)) == 8 && n > 384 {
		t.Errorf("request is %d bytes, want at most 384", n)
	}
}

type (
	plainW    struct{ http.ResponseWriter }
	flushW    struct{ plainW }
	hijackW   struct{ flushW }
	pushW     struct{ flushW }
	stringW   struct{ flushW }
	readFromW struct{ hijackW }
)

func (flushW) Flush()                                        {}
func (hijackW) Hijack() (net.Conn, *bufio.ReadWriter, error) { return nil, nil, nil }
func (pushW) Push(string, *http.PushOptions) error           { return nil }
func (stringW) WriteString(s string) (int, error)            { return len(s), nil }
func (readFromW) ReadFrom(io.Reader) (int64, error)          { return 0, nil }

// TestShapeCache: the shapes kept per writer type are each type's own,
// with more types than slots taking turns from several goroutines.
func TestShapeCache(t *testing.T) {
	writers := []http.ResponseWriter{
		plainW{}, flushW{}, hijackW{}, pushW{}, stringW{}, readFromW{},
		&plainW{}, &flushW{}, &hijackW{}, &pushW{}, &stringW{}, &readFromW{},
		httptest.NewRecorder(),
	}
	want := map[string]int{
		"plain": 0, "flush": canFlush, "hijack": canFlush | canHijack, "push": canFlush | canPush,
		"string": canFlush | canWriteString, "readFrom": canFlush | canHijack | canReadFrom,
		"recorder": canFlush | canWriteString,
	}
	name := func(w http.ResponseWriter) string {
		n := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%T", w), "*"), "W")
		n = strings.TrimPrefix(n, "middleware.")
		if n == "httptest.ResponseRecorder" {
			return "recorder"
		}
		return n
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				w := writers[(i*7+g)%len(writers)]
				if got, want := shapeOf(w), want[name(w)]; got != want {
					t.Errorf("shapeOf(%T) = %b, want %b", w, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
