package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

// hostileService is a service whose careless route function names a
// route after the request's path, so that every hostile path tries to
// make a route of its own, behind the middleware's route cap.
type hostileService struct {
	mw     *middleware.Middleware
	reg    *slo.Registry
	served atomic.Int64 // requests that reached the handler
	panics atomic.Int64 // of which panicked
}

const hostileMaxRoutes = 50

func newHostileService() (*hostileService, http.Handler, error) {
	s := &hostileService{}
	var err error
	if s.reg, err = slo.NewRegistry(); err != nil {
		return nil, nil, err
	}
	s.mw, err = middleware.New(middleware.Config{Service: "chaos", Registry: s.reg, Availability: 0.99, Latency: 0.9,
		Threshold: 50 * time.Millisecond, MaxRoutes: hostileMaxRoutes, HTTPMetrics: true},
		middleware.WithRoute(func(r *http.Request) string { return r.Method + " " + r.URL.Path }))
	if err != nil {
		return nil, nil, err
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.served.Add(1)
		switch {
		case strings.HasSuffix(r.URL.Path, "panic"):
			s.panics.Add(1)
			panic(http.ErrAbortHandler)
		case len(r.URL.Path)%7 == 0:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		io.WriteString(w, "ok")
	})
	return s, s.mw.Handler(app), nil
}

// counted sums what the middleware's routes recorded.
func (s *hostileService) counted() (n uint64, routes int) {
	for _, rt := range s.mw.Routes() {
		t := rt.Availability().Totals()
		n += t.Good + t.Bad + t.Invalid
	}
	return n, len(s.mw.Routes())
}

// hostilePath returns a path of random bytes (control characters,
// invalid UTF-8, percent signs, dot segments, up to 2 KB), escaped as
// the HTTP/1.1 request line or the URL needs.
func hostilePath(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("/")
	n := rng.IntN(40)
	if rng.IntN(20) == 0 {
		n = 2000
	}
	for range n {
		switch rng.IntN(8) {
		case 0:
			b.WriteByte(byte(rng.IntN(256)))
		case 1:
			b.WriteString("../")
		case 2:
			b.WriteString("%")
		case 3:
			b.WriteString("\u202e") // right-to-left override
		case 4:
			b.WriteString("panic")
		default:
			b.WriteByte("abcdefghij/"[rng.IntN(11)])
		}
	}
	return b.String()
}

var hostileMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO", "M-SEARCH", strings.Repeat("X", 200), "get"}

// hostileScenario sends requests with hostile paths, methods and header
// names to a real loopback server, over HTTP/1.1 (raw request lines) or
// HTTP/2 (TLS): the routes stay at the cap, every request that reached
// the handler is counted exactly once (panics included), and the status
// page still renders and decodes.
func hostileScenario(s *suite, h2 bool) ([]figure, []string) {
	var broken []string
	svc, h, err := newHostileService()
	if err != nil {
		return nil, []string{err.Error()}
	}
	status, _ := statuspage.Handler(svc.reg)
	// No ServeMux in front: its pattern would name every route "/".
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.status" {
			status.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = discardLog // the panics' and bad requests' logs
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	if h2 {
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Start()
	}
	defer srv.Close()

	requests := s.n(20000)
	var sent atomic.Int64
	var wg sync.WaitGroup
	const clients = 8
	deadline := time.Now().Add(90 * time.Second)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 11))
			send := sendHTTP1
			if h2 {
				send = sendHTTP2(srv.Client())
			}
			for k := c; k < requests && time.Now().Before(deadline); k += clients {
				send(srv.URL, srv.Listener.Addr().String(), rng) // what matters is what the server saw
				sent.Add(1)
			}
		}()
	}
	wg.Wait()
	// A request is recorded as its handler returns: wait for the last.
	var counted uint64
	var routes int
	for wait := time.Now(); time.Since(wait) < 2*time.Second; time.Sleep(10 * time.Millisecond) {
		if counted, routes = svc.counted(); counted == uint64(svc.served.Load()) {
			break
		}
	}
	if counted != uint64(svc.served.Load()) {
		broken = append(broken, fmt.Sprintf("%d requests reached the handler, %d counted", svc.served.Load(), counted))
	}
	if routes > hostileMaxRoutes+1 {
		broken = append(broken, fmt.Sprintf("%d routes, past the cap of %d and the overflow route", routes, hostileMaxRoutes))
	}
	client := srv.Client()
	for _, q := range []string{"", "?format=json"} {
		resp, err := client.Get(srv.URL + "/.status" + q)
		if err != nil {
			broken = append(broken, "status page: "+err.Error())
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			broken = append(broken, "status page: "+resp.Status)
		}
		if q != "" {
			if doc, err := statuspage.Decode(bytes.NewReader(body)); err != nil || len(doc.Objectives) != len(svc.reg.Objectives()) {
				broken = append(broken, fmt.Sprintf("status document: %v, %d objectives of %d", err, len(doc.Objectives), len(svc.reg.Objectives())))
			}
		}
	}
	return []figure{
		fig("requests", "%d", sent.Load()),
		fig("refused by the server", "%d", sent.Load()-svc.served.Load()),
		fig("served", "%d (%d panicked)", svc.served.Load(), svc.panics.Load()),
		fig("counted", "%d", counted),
		fig("routes", "%d (cap %d)", routes, hostileMaxRoutes),
		fig("overflowed", "%d", svc.mw.Overflowed()),
	}, broken
}

// sendHTTP1 writes one raw HTTP/1.1 request with a hostile request line
// and header, and returns the response's status code.
func sendHTTP1(_, addr string, rng *rand.Rand) (int, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	path := hostilePath(rng)
	if rng.IntN(2) == 0 {
		path = "/" + url.PathEscape(path[1:])
	}
	path = strings.NewReplacer(" ", "%20", "\r", "%0D", "\n", "%0A").Replace(path)
	method := hostileMethods[rng.IntN(len(hostileMethods))]
	header := fmt.Sprintf("X-%c-Name: v\r\n", 'a'+rng.IntN(26))
	if rng.IntN(10) == 0 {
		header = "Bad Header\x01: v\r\n"
	}
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n", method, path, header)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err // the handler aborted the response: a panic
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// sendHTTP2 returns a sender of one HTTP/2 request with a hostile path,
// method and header.
func sendHTTP2(client *http.Client) func(base, _ string, rng *rand.Rand) (int, error) {
	return func(base, _ string, rng *rand.Rand) (int, error) {
		u, _ := url.Parse(base)
		u.RawPath = ""
		u.Path = hostilePath(rng)
		method := hostileMethods[rng.IntN(len(hostileMethods))]
		req, err := http.NewRequest(method, u.String(), nil)
		if err != nil {
			return http.StatusBadRequest, nil // refused before it left
		}
		req.Header.Set(fmt.Sprintf("X-%c-Name", 'a'+rng.IntN(26)), "v")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			return 0, fmt.Errorf("answered over %s", resp.Proto)
		}
		return resp.StatusCode, nil
	}
}
