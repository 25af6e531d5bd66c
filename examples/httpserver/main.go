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
// Requests are traced (otelhttp, every one sampled): the failed and slow
// ones are exemplars on /metrics (OpenMetrics) and on /slo.
//
// -export chooses how the metrics leave: "prometheus" (the default) serves
// them on /metrics through the OpenTelemetry Prometheus exporter; "otlp"
// pushes them to the OTLP/gRPC receiver at -otlp (a collector) every
// -otlp-interval; "both" does both. -otlp-temporality delta pushes the
// events since the last push instead of those since the start, for a
// backend that takes deltas. -latency-buckets exponential exports the
// latency histograms with exponential buckets (Prometheus's native
// histograms), from which PromQL computes fleet percentiles within 2%. It
// prints the address it listens on, and stops on SIGINT or SIGTERM.
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
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/nines-slo/nines/exporter/producer"
	"github.com/nines-slo/nines/exporter/promrules"
	"github.com/nines-slo/nines/exporter/statuspage"
	"github.com/nines-slo/nines/internal/cli"
	"github.com/nines-slo/nines/internal/demo"
	"github.com/nines-slo/nines/slo"
	"github.com/nines-slo/nines/slo/middleware"
)

const help = `usage: go run ./examples/httpserver [flags]

One replica of the demo service: GET /work?status=500&delay=20ms and
GET /hello, measured by nines' middleware (availability 99%, latency 95%
within 100 ms), traced by otelhttp, exporting to Prometheus (/metrics) or
OTLP; its status page on /slo, its rules on /rules.yml, its snapshot on
/debug/nines/snapshot. It prints the address it listens on.
`

func main() {
	cli.Usage(flag.CommandLine, help)
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	export := flag.String("export", "prometheus", `how metrics leave: "prometheus" (/metrics), "otlp" (push to -otlp) or "both"`)
	otlp := flag.String("otlp", "127.0.0.1:4317", "OTLP/gRPC receiver to push metrics to, host:port (plaintext)")
	interval := flag.Duration("otlp-interval", time.Minute, "how often to push to the OTLP receiver")
	temporality := flag.String("otlp-temporality", "cumulative", `what the OTLP push counts: "cumulative" (since start) or "delta" (since the last push)`)
	buckets := flag.String("latency-buckets", "explicit", `the latency histograms' buckets: "explicit" (classic histograms) or "exponential" (native histograms, for fleet percentiles within 2%)`)
	flag.Parse()
	if *buckets != "explicit" && *buckets != "exponential" {
		log.Fatalf("-latency-buckets %q: want explicit or exponential", *buckets)
	}
	if *temporality != "cumulative" && *temporality != "delta" {
		log.Fatalf("-otlp-temporality %q: want cumulative or delta", *temporality)
	}
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
	c := exportConfig{service: "demo", otlp: *otlp, interval: *interval, delta: *temporality == "delta", exp: *buckets == "exponential"}
	if promOn {
		c.prom = prometheus.NewRegistry()
	}
	if err := run(*addr, c); err != nil {
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

// exportConfig says where the service's metrics go.
type exportConfig struct {
	service  string                 // service.name
	prom     *prometheus.Registry   // the Prometheus exporter registers here; nil: none
	otlp     string                 // the OTLP/gRPC receiver to push to, host:port; "": none
	interval time.Duration          // between pushes
	delta    bool                   // push deltas, not cumulative counts
	exp      bool                   // latency as exponential histograms (native histograms in Prometheus)
	http     *middleware.Middleware // its HTTP server metrics exported too; nil: none
}

// newProvider returns a MeterProvider for the service whose readers are
// the Prometheus exporter and a periodic OTLP/gRPC push, as c says, each
// with a Producer of reg's objectives: its own, so that the push may take
// deltas while Prometheus scrapes cumulative counts. Shutting the provider
// down stops the push, flushing it once.
func newProvider(reg *slo.Registry, c exportConfig) (*sdkmetric.MeterProvider, error) {
	res, err := newResource(c.service)
	if err != nil {
		return nil, err
	}
	opts := []sdkmetric.Option{sdkmetric.WithResource(res)}
	var latency []producer.Option
	if c.exp {
		latency = append(latency, producer.WithExponentialBuckets(0))
	}
	if c.http != nil {
		latency = append(latency, producer.WithHTTPServer(c.http))
	}
	if c.prom != nil {
		exp, err := producer.New(reg, latency...)
		if err != nil {
			return nil, err
		}
		reader, err := otelprom.New(otelprom.WithRegisterer(c.prom), otelprom.WithProducer(exp))
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdkmetric.WithReader(reader))
	}
	if c.otlp != "" {
		temporality := sdkmetric.DefaultTemporalitySelector
		if c.delta {
			temporality = sdkmetric.DeltaTemporalitySelector
		}
		exp, err := producer.New(reg, append(latency, producer.WithTemporality(temporality))...)
		if err != nil {
			return nil, err
		}
		push, err := otlpmetricgrpc.New(context.Background(), otlpmetricgrpc.WithEndpoint(c.otlp), otlpmetricgrpc.WithInsecure(),
			otlpmetricgrpc.WithTimeout(5*time.Second), otlpmetricgrpc.WithTemporalitySelector(temporality))
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(push,
			sdkmetric.WithInterval(c.interval), sdkmetric.WithTimeout(5*time.Second), sdkmetric.WithProducer(exp))))
	}
	return sdkmetric.NewMeterProvider(opts...), nil
}

func run(addr string, c exportConfig) error {
	svc, err := demo.New()
	if err != nil {
		return err
	}
	c.http = svc.Middleware
	provider, err := newProvider(svc.Registry, c)
	if err != nil {
		return err
	}
	defer provider.Shutdown(context.Background())

	// Every API request is traced, as otelhttp in front of nines' middleware
	// traces it: a failed or slow one becomes an exemplar of its route's
	// objectives, which /metrics shows in the OpenMetrics format and /slo
	// lists. The spans go nowhere here; a service exports them.
	tracing := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	defer tracing.Shutdown(context.Background())
	mux := http.NewServeMux()
	mux.Handle("/", otelhttp.NewHandler(svc.Handler, "api", otelhttp.WithTracerProvider(tracing)))
	if c.prom != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(c.prom, promhttp.HandlerOpts{EnableOpenMetrics: true}))
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
