package producer

import (
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/nines-slo/nines/slo/middleware"
)

// The HTTP semantic conventions' instruments and attributes.
const (
	httpDuration = "http.server.request.duration"
	httpActive   = "http.server.active_requests"
)

var (
	attrMethod = attribute.Key("http.request.method")
	attrRoute  = attribute.Key("http.route")
	attrStatus = attribute.Key("http.response.status_code")
	attrScheme = attribute.Key("url.scheme")
	attrError  = attribute.Key("error.type")
)

// WithHTTPServer adds the requests that the middlewares ms record with
// [middleware.Config.HTTPMetrics] as OpenTelemetry's HTTP server metrics:
// http.server.request.duration, a histogram in seconds by
// http.request.method, http.route, http.response.status_code, url.scheme
// (and error.type, the status code, for a 5xx), in the buckets the
// conventions advise; and http.server.active_requests, the requests in
// flight, by http.route (and http.request.method for routes named with
// one). Dashboards built for otelhttp's metrics read them unchanged; the
// histogram honours [WithTemporality] as the latency histograms do.
func WithHTTPServer(ms ...*middleware.Middleware) Option {
	return optionFunc(func(p *Producer) error {
		p.servers = append(p.servers, ms...)
		return nil
	})
}

// httpKey identifies one series of http.server.request.duration.
type httpKey struct {
	rt     *middleware.Route
	method string
	code   int
	scheme string
}

// httpAttrs returns the attribute set of a duration series, built once.
func (p *Producer) httpAttrs(k httpKey) attribute.Set {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.httpSets[k]; ok {
		return s
	}
	kv := []attribute.KeyValue{attrMethod.String(k.method), attrStatus.Int(k.code), attrScheme.String(k.scheme)}
	if route, _ := k.rt.HTTPRoute(); route != "" {
		kv = append(kv, attrRoute.String(route))
	}
	if k.code >= 500 {
		kv = append(kv, attrError.String(strconv.Itoa(k.code)))
	}
	s := attribute.NewSet(kv...)
	if p.httpSets == nil {
		p.httpSets = map[httpKey]attribute.Set{}
	}
	p.httpSets[k] = s
	return s
}

// httpServers adds the middlewares' HTTP metrics to collection c.
func (p *Producer) httpServers(c *collection) {
	if len(p.servers) == 0 {
		return
	}
	var bounds []float64
	for _, b := range middleware.HTTPDurationBounds() {
		bounds = append(bounds, b.Seconds())
	}
	for _, m := range p.servers {
		for _, rt := range m.Routes() {
			route, method := rt.HTTPRoute()
			kv := []attribute.KeyValue{}
			if route != "" {
				kv = append(kv, attrRoute.String(route))
			}
			if method != "" {
				kv = append(kv, attrMethod.String(method))
			}
			c.active = append(c.active, metricdata.DataPoint[int64]{Attributes: attribute.NewSet(kv...), StartTime: c.start, Time: c.at, Value: rt.InFlight()})
			for _, r := range rt.HTTPRequests() {
				k := httpKey{rt, r.Method, r.StatusCode, r.Scheme}
				c.http = append(c.http, metricdata.HistogramDataPoint[float64]{
					Attributes: p.httpAttrs(k), StartTime: c.start, Time: c.at,
					Count: r.Count, Sum: r.Sum.Seconds(), Bounds: bounds, BucketCounts: r.Buckets,
				})
				c.httpKeys = append(c.httpKeys, k)
			}
		}
	}
}
