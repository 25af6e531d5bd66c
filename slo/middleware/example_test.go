package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

func Example() {
	registry := &slo.Registry{}
	m, err := middleware.New(middleware.Config{Service: "profile", Registry: registry, Availability: 0.999})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "0" {
			http.Error(w, "database down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "profile of", r.PathValue("id"))
	})
	handler := m.Handler(mux)

	for _, path := range []string{"/users/1", "/users/2", "/users/0", "/users/3", "/nowhere"} {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	for _, rt := range m.Routes() {
		if t := rt.Availability().Totals(); t.Good+t.Bad > 0 {
			fmt.Printf("%-16s good %d, bad %d\n", rt.Name(), t.Good, t.Bad)
		}
	}
	st, _ := registry.Status()
	for _, s := range st {
		fmt.Printf("%s: SLI %.0f%%, %s\n", s.Name, s.SLI*100, s.Attainment)
	}
	// Output:
	// GET /users/{id}  good 3, bad 1
	// (unmatched)      good 1, bad 0
	// profile GET /users/{id} availability: SLI 75%, breached
	// profile (unmatched) availability: SLI 100%, met
}

func ExampleRoute_Signals() {
	m, _ := middleware.New(middleware.Config{})
	slow := m.Wrap("search", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("q") == "" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	for _, q := range []string{"?q=a", "?q=b", "", "?q=c"} {
		slow.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/search"+q, nil))
	}
	s, _ := m.Routes()[0].Signals(5 * time.Minute)
	fmt.Printf("%s: %d ok, %d failed, errors %.0f%%, in flight %d\n", s.Route, s.Latency.Count, s.FailedLatency.Count, s.Errors*100, s.InFlight)
	// Output:
	// search: 3 ok, 1 failed, errors 25%, in flight 0
}
