// Package demo is the service the example programs, the nines command's
// tests and their integration tests share: a small HTTP API whose routes
// are measured by nines' middleware, so that every replica builds the
// same objectives.
package demo

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// Service is one replica of the demo API.
type Service struct {
	Registry   *slo.Registry
	Middleware *middleware.Middleware
	Handler    http.Handler // the API, every route measured
}

// Routes are the API's route patterns, each measured from startup.
var Routes = []string{"GET /work", "GET /hello"}

// New builds a replica. GET /work answers after ?delay= (a Go duration,
// at most 10s) with status ?status= (default 200); GET /hello answers 200
// at once.
func New() (*Service, error) {
	reg, err := slo.NewRegistry()
	if err != nil {
		return nil, err
	}
	mw, err := middleware.New(middleware.Config{
		Service: "demo", Registry: reg,
		Availability: 0.99, Latency: 0.95, Threshold: 100 * time.Millisecond,
		HTTPMetrics: true, // http.server.request.duration, as otelhttp's dashboards read it
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mw.Handle(mux, "GET /work", http.HandlerFunc(work))
	mw.Handle(mux, "GET /hello", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	if err := mw.Err(); err != nil {
		return nil, err
	}
	return &Service{Registry: reg, Middleware: mw, Handler: mux}, nil
}

func work(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	if s := r.URL.Query().Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 200 || n > 599 {
			http.Error(w, "status must be 200–599", http.StatusBadRequest)
			return
		}
		status = n
	}
	if d := r.URL.Query().Get("delay"); d != "" {
		delay, err := time.ParseDuration(d)
		if err != nil || delay < 0 || delay > 10*time.Second {
			http.Error(w, "delay must be a duration up to 10s", http.StatusBadRequest)
			return
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	w.WriteHeader(status)
	fmt.Fprintln(w, http.StatusText(status))
}
