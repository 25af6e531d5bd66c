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
	"time"
)

// writer wraps a ResponseWriter to capture the final status. The first
// final status wins: informational 1xx responses (103 Early Hints, say)
// pass through without becoming the status, 101 Switching Protocols is
// final, and a Write, ReadFrom or Flush before any WriteHeader means 200.
//
// It keeps the wrapped writer's abilities reachable: Unwrap for
// http.ResponseController, and Flush, Hijack and ReadFrom, which fall back
// as the standard library would when the wrapped writer lacks them.
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

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush sends buffered data to the client, as http.Flusher does; a no-op if
// the wrapped writer cannot flush.
func (w *writer) Flush() { w.FlushError() }

// FlushError flushes like Flush and reports failure, so that
// http.ResponseController.Flush returns http.ErrNotSupported for a wrapped
// writer that cannot flush. A flush that sends the headers means 200.
func (w *writer) FlushError() error {
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if err == nil && w.status == 0 {
		w.setStatus(http.StatusOK)
	}
	return err
}

// Hijack lets the handler take over the connection, as http.Hijacker does.
// It fails with an error wrapping http.ErrNotSupported when the wrapped
// writer cannot.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("middleware: hijack: %w", err)
	}
	if !w.hijacked { // a writer that lets a second Hijack succeed: the first is the latency's end
		w.hijacked, w.start = true, int64(w.elapsed())
	}
	return c, rw, nil
}

// ReadFrom copies from src, through the wrapped writer's ReadFrom when it
// has one (as *http.response does, to use sendfile).
func (w *writer) ReadFrom(src io.Reader) (int64, error) {
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		if w.status == 0 {
			w.setStatus(http.StatusOK) // ReadFrom sends the headers
		}
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w}, src) // through Write: 200 once bytes go out
}

// writerOnly hides ReadFrom, so that io.Copy does not recurse.
type writerOnly struct{ io.Writer }

var (
	_ http.Flusher  = (*writer)(nil)
	_ http.Hijacker = (*writer)(nil)
	_ io.ReaderFrom = (*writer)(nil)
)
