package middleware

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sync/atomic"
	"time"
	"unsafe"
)

// writer wraps a ResponseWriter to capture the final status. The first
// final status wins: informational 1xx responses (103 Early Hints, say)
// pass through without becoming the status, 101 Switching Protocols is
// final, and a Write, ReadFrom or Flush before any WriteHeader means 200.
//
// The handler gets it in a shape (exposed) with the optional interfaces
// of the writer it wraps — Flusher, Hijacker, Pusher, ReaderFrom,
// StringWriter, CloseNotifier — for the combinations servers and routers
// use, and Unwrap, for http.ResponseController.
//
// It is allocated for every request, so it is kept to 48 bytes: every byte
// allocated is a share of a garbage collection.
type writer struct {
	http.ResponseWriter
	r *http.Request
	// rt is the request's route, whose in-flight count holds the request;
	// the middleware's pending route until the route is known. Either way
	// rt.m is the middleware.
	rt *Route
	// start is the clock reading at the start (Middleware.clock); after a
	// hijack, the time from the start to the hijack.
	start    int64
	status   int32
	gone     bool // the client had gone when the status was set
	late     bool // the request's deadline had passed when the status was set
	hijacked bool
}

// elapsed returns the time since the request started.
func (w *writer) elapsed() time.Duration { return w.rt.m.since(w.start) }

// duration returns the request's latency: from the start to now, or to the
// hijack.
func (w *writer) duration() time.Duration {
	if w.hijacked {
		return time.Duration(w.start)
	}
	return w.elapsed()
}

// WriteHeader passes the status on, keeping the first final one.
func (w *writer) WriteHeader(code int) {
	if w.status == 0 && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		w.setStatus(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

// setStatus records the final status, and whether the client had already
// gone: a response the client stayed for is classified by its status.
func (w *writer) setStatus(code int) {
	w.status = int32(min(max(code, math.MinInt32), math.MaxInt32)) // net/http refuses beyond 999 anyway
	if err := w.r.Context().Err(); err != nil {
		w.gone = errors.Is(err, context.Canceled)
		w.late = errors.Is(err, context.DeadlineExceeded)
	}
	if m := w.rt.m; w.rt == m.pending {
		// Through Handler the route is known once the router has run,
		// which it has when the handler answers: from here on the request
		// is in flight on its route. A route named only at the end (by a
		// router adapter) keeps it pending until then.
		if rt := m.servedRoute(requestOf(w.r, m), w.r, false); rt != nil {
			w.rt = rt
			rt.started.Add(1)
			m.inFlight.Add(-1)
		}
	}
}

// Write passes the bytes on; the first one means 200 if no status was set.
func (w *writer) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.setStatus(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// flush flushes as http.Flusher does and reports failure, so that
// http.ResponseController.Flush returns http.ErrNotSupported when the
// wrapped writer cannot. A flush that sends the headers means 200.
func (w *writer) flush() error {
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if err == nil && w.status == 0 {
		w.setStatus(http.StatusOK)
	}
	return err
}

// hijack lets the handler take over the connection, as http.Hijacker
// does; the latency ends at the first.
func (w *writer) hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("middleware: hijack: %w", err)
	}
	if !w.hijacked { // a writer that lets a second Hijack succeed: the first is the latency's end
		w.hijacked, w.start = true, int64(w.elapsed())
	}
	return c, rw, nil
}

// readFrom copies from src through the wrapped writer's ReadFrom (as
// *http.response has, to use sendfile). As net/http does, the first bytes
// go through Write, which sets the status only if bytes go out: a copy of
// nothing, or one that fails at once, sends no header.
func (w *writer) readFrom(src io.Reader) (int64, error) {
	var n int64
	if w.status == 0 {
		var err error
		n, err = io.CopyN(writerOnly{w}, src, 512)
		if err != nil || n < 512 {
			if err == io.EOF {
				err = nil
			}
			return n, err
		}
	}
	m, err := w.ResponseWriter.(io.ReaderFrom).ReadFrom(src)
	return n + m, err
}

// writerOnly hides ReadFrom, so that io.CopyN writes through Write.
type writerOnly struct{ io.Writer }

// writeString writes s through the wrapped writer's WriteString.
func (w *writer) writeString(s string) (int, error) {
	if w.status == 0 {
		w.setStatus(http.StatusOK)
	}
	return w.ResponseWriter.(io.StringWriter).WriteString(s)
}

// push initiates an HTTP/2 server push through the wrapped writer.
func (w *writer) push(target string, opts *http.PushOptions) error {
	return w.ResponseWriter.(http.Pusher).Push(target, opts)
}

// self returns w, for finding the writer under the shape it is exposed as.
func (w *writer) self() *writer { return w }

// closeNotify passes the wrapped writer's CloseNotify on (gin's streaming
// asserts it).
func (w *writer) closeNotify() <-chan bool {
	//lint:ignore SA1019 deprecated, but routers still assert it
	return w.ResponseWriter.(http.CloseNotifier).CloseNotify()
}

// Unwrap returns, for http.ResponseController, the controls of w: it
// flushes and hijacks through w (the status and the latency are kept), and
// unwraps to the wrapped writer for the rest (deadlines, full duplex), so
// that a shape without Flusher or Hijacker is no way around w.
func (w *writer) Unwrap() http.ResponseWriter { return controls{w} }

// controls is what Unwrap returns.
type controls struct{ *writer }

func (c controls) FlushError() error                            { return c.flush() }
func (c controls) Hijack() (net.Conn, *bufio.ReadWriter, error) { return c.hijack() }
func (c controls) Unwrap() http.ResponseWriter                  { return c.ResponseWriter }

// The optional interfaces a handler may look for on its ResponseWriter.
const (
	canFlush       = 1 << iota // http.Flusher
	canHijack                  // http.Hijacker
	canPush                    // http.Pusher
	canReadFrom                // io.ReaderFrom
	canWriteString             // io.StringWriter
	canCloseNotify             // http.CloseNotifier (deprecated, still asserted)
)

// exposed returns w as the handler gets it: with the optional interfaces
// of the writer it wraps among Flusher, Hijacker, Pusher, ReaderFrom and
// StringWriter, never one the wrapped writer lacks (a handler that finds
// a Hijacker over HTTP/2 takes a path that fails), and Unwrap always, for
// http.ResponseController. The shapes are those of the writers handlers
// meet (net/http's over HTTP/1 and HTTP/2, httptest's recorder, the
// routers' own); a writer of another combination gets the largest shape
// it has all of. Each shape holds only the pointer to w: no allocation.
func (w *writer) exposed() http.ResponseWriter {
	c := shapeOf(w.ResponseWriter)
	switch {
	case c&shapeFHRS == shapeFHRS:
		return writerFHRS{w}
	case c&shapeFPS == shapeFPS:
		return writerFPS{w}
	case c&shapeFHS == shapeFHS:
		return writerFHS{w}
	case c&shapeFHR == shapeFHR:
		return writerFHR{w}
	case c&shapeFS == shapeFS:
		return writerFS{w}
	case c&shapeFP == shapeFP:
		return writerFP{w}
	case c&shapeFH == shapeFH:
		return writerFH{w}
	case c&canFlush != 0:
		return writerF{w}
	case c&canHijack != 0:
		return writerH{w}
	}
	return w
}

// shapeOf returns the optional interfaces rw has (can… bits). A server's
// writers are of one or two types, so the answer is kept per type, in a
// few slots picked by the type: six type assertions cost a handler more
// than a load and a compare.
func shapeOf(rw http.ResponseWriter) int {
	typ := (*[2]unsafe.Pointer)(unsafe.Pointer(&rw))[0] // the interface's type word
	slot := &shapes[uintptr(typ)>>4%uintptr(len(shapes))]
	if k := slot.Load(); k != nil && k.typ == typ {
		return k.c
	}
	var c int
	if _, ok := rw.(http.Flusher); ok {
		c |= canFlush
	}
	if _, ok := rw.(http.Hijacker); ok {
		c |= canHijack
	}
	if _, ok := rw.(http.Pusher); ok {
		c |= canPush
	}
	if _, ok := rw.(io.ReaderFrom); ok {
		c |= canReadFrom
	}
	if _, ok := rw.(io.StringWriter); ok {
		c |= canWriteString
	}
	//lint:ignore SA1019 deprecated, but routers still assert it
	if _, ok := rw.(http.CloseNotifier); ok {
		c |= canCloseNotify
	}
	slot.Store(&knownShape{typ, c})
	return c
}

// shapes holds the shapes of the writer types met last.
var shapes [8]atomic.Pointer[knownShape]

// knownShape is a writer type's optional interfaces.
type knownShape struct {
	typ unsafe.Pointer
	c   int
}

const (
	shapeFHRS = canFlush | canHijack | canReadFrom | canWriteString | canCloseNotify // net/http, HTTP/1
	shapeFPS  = canFlush | canPush | canWriteString | canCloseNotify                 // net/http, HTTP/2
	shapeFHS  = canFlush | canHijack | canWriteString
	shapeFHR  = canFlush | canHijack | canReadFrom
	shapeFS   = canFlush | canWriteString // httptest.ResponseRecorder
	shapeFP   = canFlush | canPush
	shapeFH   = canFlush | canHijack
)

type (
	writerF    struct{ *writer }
	writerH    struct{ *writer }
	writerFH   struct{ *writer }
	writerFP   struct{ *writer }
	writerFS   struct{ *writer }
	writerFHR  struct{ *writer }
	writerFHS  struct{ *writer }
	writerFPS  struct{ *writer }
	writerFHRS struct{ *writer }
)

func (w writerF) Flush()                                          { w.flush() }
func (w writerF) FlushError() error                               { return w.flush() }
func (w writerFH) Flush()                                         { w.flush() }
func (w writerFH) FlushError() error                              { return w.flush() }
func (w writerFP) Flush()                                         { w.flush() }
func (w writerFP) FlushError() error                              { return w.flush() }
func (w writerFS) Flush()                                         { w.flush() }
func (w writerFS) FlushError() error                              { return w.flush() }
func (w writerFHR) Flush()                                        { w.flush() }
func (w writerFHR) FlushError() error                             { return w.flush() }
func (w writerFHS) Flush()                                        { w.flush() }
func (w writerFHS) FlushError() error                             { return w.flush() }
func (w writerFPS) Flush()                                        { w.flush() }
func (w writerFPS) FlushError() error                             { return w.flush() }
func (w writerFHRS) Flush()                                       { w.flush() }
func (w writerFHRS) FlushError() error                            { return w.flush() }
func (w writerH) Hijack() (net.Conn, *bufio.ReadWriter, error)    { return w.hijack() }
func (w writerFH) Hijack() (net.Conn, *bufio.ReadWriter, error)   { return w.hijack() }
func (w writerFHR) Hijack() (net.Conn, *bufio.ReadWriter, error)  { return w.hijack() }
func (w writerFHS) Hijack() (net.Conn, *bufio.ReadWriter, error)  { return w.hijack() }
func (w writerFHRS) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }
func (w writerFP) Push(t string, o *http.PushOptions) error       { return w.push(t, o) }
func (w writerFPS) Push(t string, o *http.PushOptions) error      { return w.push(t, o) }
func (w writerFHR) ReadFrom(r io.Reader) (int64, error)           { return w.readFrom(r) }
func (w writerFHRS) ReadFrom(r io.Reader) (int64, error)          { return w.readFrom(r) }
func (w writerFS) WriteString(s string) (int, error)              { return w.writeString(s) }
func (w writerFPS) CloseNotify() <-chan bool                      { return w.closeNotify() }
func (w writerFHRS) CloseNotify() <-chan bool                     { return w.closeNotify() }
func (w writerFHS) WriteString(s string) (int, error)             { return w.writeString(s) }
func (w writerFPS) WriteString(s string) (int, error)             { return w.writeString(s) }
func (w writerFHRS) WriteString(s string) (int, error)            { return w.writeString(s) }

var (
	_ interface {
		http.Flusher
		http.Hijacker
		io.ReaderFrom
		io.StringWriter
		Unwrap() http.ResponseWriter
	} = writerFHRS{}
	_ interface {
		http.Flusher
		http.Pusher
		io.StringWriter
	} = writerFPS{}
)
