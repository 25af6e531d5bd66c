// Command httpserver is one replica of the demo service, measured by nines
// and exported through OpenTelemetry to Prometheus:
//
//	go run ./examples/httpserver -addr 127.0.0.1:8080
//
// It serves the API (GET /work?status=500&delay=20ms, GET /hello), each
// route measured by nines' middleware on a ServeMux (availability 99%,
// latency 95% within 100 ms); its status page on /slo; the Prometheus rules
// for its objectives on /rules.yml; and a snapshot of its SLO state on
// /debug/nines/snapshot, which slo.MergeSnapshots combines across replicas.
//
// -export chooses how the metrics leave: "prometheus" (the default) serves
// them on /metrics through the OpenTelemetry Prometheus exporter; "otlp"
// pushes them to the OTLP/gRPC receiver at -otlp (a collector) every
// -otlp-interval; "both" does both. It prints the address it listens on,
// and stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/nines-slo/nines/examples/internal/demo"
	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/exporter/statuspage"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	export := flag.String("export", "prometheus", `how metrics leave: "prometheus" (/metrics), "otlp" (push to -otlp) or "both"`)
	otlp := flag.String("otlp", "127.0.0.1:4317", "OTLP/gRPC receiver to push metrics to, host:port (plaintext)")
	interval := flag.Duration("otlp-interval", time.Minute, "how often to push to the OTLP receiver")
	flag.Parse()
	var promOn bool
	switch *export {
	case "prometheus":
		promOn, *otlp = true, ""
	case "otlp":
	case "both":
		promOn = true
	default:
		log.Fatalf("-export %q: want prometheus, otlp or both", *export)
	}
	if err := run(*addr, promOn, *otlp, *interval); err != nil {
		log.Fatal(err)
	}
}

// newResource describes this process to the metrics backends: the
// service's name, and an instance ID of its own (random, for the life of
// the process), so that a backend keeps each replica's counters apart.
// Without one, replicas pushing to one OTLP receiver land in one series:
// Prometheus's receiver takes the instance label from service.instance.id,
// refuses the second replica's points as out of order and reads resets
// where there are none. OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
// override both.
func newResource(service string) (*resource.Resource, error) {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	return resource.New(context.Background(),
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName(service), semconv.ServiceInstanceID(hex.EncodeToString(id))),
		resource.WithFromEnv(),
	)
}

// newProvider returns a MeterProvider for the service whose readers are
// the Prometheus exporter, registering on promReg (unless it is nil),
// and, when otlp is not empty, a periodic OTLP/gRPC push to it; exp
// produces every objective's metrics for both. Shutting the provider down
// stops the push, flushing it once.
func newProvider(service string, exp *producer.Producer, promReg *prometheus.Registry, otlp string, interval time.Duration) (*sdkmetric.MeterProvider, error) {
	res, err := newResource(service)
	if err != nil {
		return nil, err
	}
	opts := []sdkmetric.Option{sdkmetric.WithResource(res)}
	if promReg != nil {
		reader, err := otelprom.New(otelprom.WithRegisterer(promReg), otelprom.WithProducer(exp))
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdkmetric.WithReader(reader))
	}
	if otlp != "" {
		push, err := otlpmetricgrpc.New(context.Background(), otlpmetricgrpc.WithEndpoint(otlp), otlpmetricgrpc.WithInsecure(),
			otlpmetricgrpc.WithTimeout(5*time.Second))
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(push,
			sdkmetric.WithInterval(interval), sdkmetric.WithTimeout(5*time.Second), sdkmetric.WithProducer(exp))))
	}
	return sdkmetric.NewMeterProvider(opts...), nil
}

func run(addr string, promOn bool, otlp string, interval time.Duration) error {
	svc, err := demo.New()
	if err != nil {
		return err
	}
	exp, err := producer.New(svc.Registry)
	if err != nil {
		return err
	}
	var promReg *prometheus.Registry
	if promOn {
		promReg = prometheus.NewRegistry()
	}
	provider, err := newProvider("demo", exp, promReg, otlp, interval)
	if err != nil {
		return err
	}
	defer provider.Shutdown(context.Background())

	mux := http.NewServeMux()
	mux.Handle("/", svc.Handler)
	if promReg != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(promReg, promhttp.HandlerOpts{}))
	}
	status, err := statuspage.Handler(svc.Registry)
	if err != nil {
		return err
	}
	mux.Handle("GET /slo", status)
	mux.HandleFunc("GET /rules.yml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		if err := promrules.Write(w, svc.Registry, promrules.Config{}); err != nil {
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
