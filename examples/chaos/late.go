package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

var discardLog = log.New(io.Discard, "", 0)

// lateScenario serves requests behind an http.TimeoutHandler whose
// handlers panic, or overrun the deadline and write after the timeout
// answered for them: a panic is one bad request, an overrun one bad
// request (the server's 503), and the writes that come late move no
// counter.
func lateScenario(s *suite) ([]figure, []string) {
	var broken []string
	reg, _ := slo.NewRegistry()
	mw, err := middleware.New(middleware.Config{Service: "chaos", Registry: reg, Availability: 0.99})
	if err != nil {
		return nil, []string{err.Error()}
	}
	var inner sync.WaitGroup
	var served, panics, overruns, lateWrites atomic.Int64 // as the server saw them: a client retries some
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.Add(1)
		defer inner.Done()
		served.Add(1)
		switch r.URL.Query().Get("do") {
		case "panic":
			panics.Add(1)
			panic("a bug in the handler")
		case "overrun":
			overruns.Add(1)
			time.Sleep(30 * time.Millisecond) // past the 10 ms deadline
			if _, err := io.WriteString(w, "late"); errors.Is(err, http.ErrHandlerTimeout) {
				lateWrites.Add(1)
			}
			return
		}
		io.WriteString(w, "ok")
	})
	mux := http.NewServeMux()
	mux.Handle("GET /late", http.TimeoutHandler(app, 10*time.Millisecond, "timed out"))
	srv := httptest.NewUnstartedServer(mw.Handler(mux))
	srv.Config.ErrorLog = discardLog
	srv.Start()
	defer srv.Close()
	requests := s.n(2000)
	client := srv.Client()
	for k := range requests {
		q := ""
		switch k % 5 {
		case 0:
			q = "?do=panic"
		case 1:
			q = "?do=overrun"
		}
		resp, err := client.Get(srv.URL + "/late" + q)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	rt := mw.Route("GET /late")
	settle := func() (good, bad uint64) {
		for wait := time.Now(); time.Since(wait) < 2*time.Second; time.Sleep(10 * time.Millisecond) {
			if t := rt.Availability().Totals(); t.Good+t.Bad == uint64(served.Load()) {
				return t.Good, t.Bad
			}
		}
		t := rt.Availability().Totals()
		return t.Good, t.Bad
	}
	good, bad := settle()
	inner.Wait() // every overrun has written, late
	good2, bad2 := settle()
	if good+bad != uint64(served.Load()) || bad != uint64(panics.Load()+overruns.Load()) {
		broken = append(broken, fmt.Sprintf("%d requests served (%d panics, %d overruns): counted %d good, %d bad",
			served.Load(), panics.Load(), overruns.Load(), good, bad))
	}
	if good2 != good || bad2 != bad {
		broken = append(broken, fmt.Sprintf("late writes moved the counters: %d good, %d bad, then %d, %d", good, bad, good2, bad2))
	}
	if lateWrites.Load() != overruns.Load() {
		broken = append(broken, fmt.Sprintf("%d overruns, %d late writes refused by the timeout", overruns.Load(), lateWrites.Load()))
	}
	return []figure{
		fig("requests served", "%d", served.Load()),
		fig("panics and overruns counted bad", "%d of %d", bad, panics.Load()+overruns.Load()),
		fig("late writes", "%d", lateWrites.Load()),
		fig("counters moved by them", "%d", (good2+bad2)-(good+bad)),
	}, broken
}
