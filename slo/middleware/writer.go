package middleware

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/nines-slo/nines/internal/mono"
)

// writer wraps a ResponseWriter to capture the final status. The first
// final status wins: informational 1xx responses (103 Early Hints, say)
// pass through without becoming the status, 101 Switching Protocols is
// final, and a Write, ReadFrom or Flush before any WriteHeader means 200.
//
// It keeps the wrapped writer's abilities reachable: Unwrap for
// http.ResponseController, and Flush, Hijack and ReadFrom, which fall back
// as the standard library would when the wrapped writer lacks them.
type writer struct {
	http.ResponseWriter
	r        *http.Request
	m        *Middleware
	rt       *Route // the route, once known; its in-flight count holds this request
	status   int
	start    int64         // monotonic ns on the default clock, Unix ns on Config.Clock
	toHijack time.Duration // from start to the hijack
	gone     bool          // the client had gone when the status was set
	hijacked bool
}

// now returns the writer's clock reading, in the unit of start.
func (w *writer) now() int64 {
	if w.m.cfg.Clock == nil {
		return mono.Now()
	}
	return w.m.now().UnixNano()
}

// elapsed returns the time since the request started.
func (w *writer) elapsed() time.Duration { return time.Duration(w.now() - w.start) }

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
	w.status = code
	w.gone = w.r.Context().Err() != nil
	if w.rt == nil {
		// Through Handler the route is known once the router has run,
		// which it has when the handler answers: from here on the request
		// is in flight on its route.
		w.rt = w.m.route(w.m.routeOf(w.r))
		w.rt.started.Add(1)
		w.m.inFlight.Add(-1)
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
	w.hijacked, w.toHijack = true, w.elapsed()
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
