// Command httpserver is one replica of the demo service, measured by nines
// and exported through OpenTelemetry to Prometheus:
//
//	go run ./examples/httpserver -addr 127.0.0.1:8080
//
// It serves the API (GET /work?status=500&delay=20ms, GET /hello), the
// metrics in Prometheus's format on /metrics (the OpenTelemetry Prometheus
// exporter, fed by nines' exporter), the Prometheus rules for its
// objectives on /rules.yml, and a snapshot of its SLO state on
// /debug/nines/snapshot, which slo.MergeSnapshots combines across
// replicas. It prints the address it listens on, and stops on SIGINT or
// SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/nines-slo/nines/examples/internal/demo"
	"github.com/nines-slo/nines/exporter"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if err := run(*addr); err != nil {
		log.Fatal(err)
	}
}

func run(addr string) error {
	svc, err := demo.New()
	if err != nil {
		return err
	}
	exp, err := exporter.New(svc.Registry)
	if err != nil {
		return err
	}
	defer exp.Close()
	promReg := prometheus.NewRegistry()
	reader, err := otelprom.New(otelprom.WithRegisterer(promReg), otelprom.WithProducer(exp))
	if err != nil {
		return err
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(context.Background())
	if err := exp.Register(provider); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("/", svc.Handler)
	mux.Handle("GET /metrics", promhttp.HandlerFor(promReg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /rules.yml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		if err := exporter.WriteRules(w, svc.Registry, exporter.RulesConfig{}); err != nil {
			log.Print(err)
		}
	})
	mux.HandleFunc("GET /debug/nines/snapshot", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if err := svc.Registry.Snapshot(w); err != nil {
			log.Print(err)
		}
	})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
