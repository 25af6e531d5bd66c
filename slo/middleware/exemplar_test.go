package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/nines-slo/nines/ninestest"
	"github.com/nines-slo/nines/slo/middleware"
)

// traced puts a sampled span in each request's context, as a tracing
// middleware in front of nines' (otelhttp's, say) does; its trace ID
// names the request's path.
func traced(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var tid trace.TraceID
		copy(tid[:], r.URL.Path)
		sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{7}, TraceFlags: trace.FlagsSampled})
		next.ServeHTTP(w, r.WithContext(trace.ContextWithSpanContext(r.Context(), sc)))
	})
}

// Behind a tracing middleware, a failed request over a real loopback
// server becomes an exemplar of its route's availability, a slow one of
// its latency, with their trace; a fast success of neither.
func TestFailedAndSlowRequestsAreExemplars(t *testing.T) {
	clock := ninestest.NewClock(t0)
	m, err := middleware.New(middleware.Config{Threshold: 100 * time.Millisecond}, middleware.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /thing/{kind}", withClock(clock, func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("kind") {
		case "failed":
			status(500, 10*time.Millisecond)(w, r)
		case "slow":
			status(200, 300*time.Millisecond)(w, r)
		default:
			status(200, time.Millisecond)(w, r)
		}
	}))
	srv := httptest.NewServer(traced(m.Handler(mux)))
	defer srv.Close()
	for _, path := range []string{"/thing/fast", "/thing/failed", "/thing/slow"} {
		if err := get(srv.URL + path); err != nil {
			t.Fatal(err)
		}
	}
	rt := route(t, m, "GET /thing/{kind}")
	bad, slow := rt.Availability().Exemplars(), rt.Latency().Exemplars()
	name := func(id trace.TraceID) string {
		n := 0
		for n < len(id) && id[n] != 0 {
			n++
		}
		return string(id[:n])
	}
	if len(bad) != 1 || name(bad[0].TraceID) != "/thing/failed" || bad[0].Duration != 10*time.Millisecond || bad[0].Time.Before(t0) || bad[0].Time.After(clock.Now()) {
		t.Errorf("availability exemplars %+v, want the failed request of 10ms", bad)
	}
	if len(slow) != 1 || name(slow[0].TraceID) != "/thing/slow" || slow[0].Duration != 300*time.Millisecond {
		t.Errorf("latency exemplars %+v, want the slow request of 300ms", slow)
	}
}
