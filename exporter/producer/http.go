package producer

import (
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/nines-slo/nines/slo/middleware"
)

// The HTTP semantic conventions' instruments and attributes.
const (
	httpDuration = "http.server.request.duration"
	httpActive   = "http.server.active_requests"
)

var (
	attrMethod = semconv.HTTPRequestMethodKey
	attrRoute  = semconv.HTTPRouteKey
	attrStatus = semconv.HTTPResponseStatusCodeKey
	attrScheme = semconv.URLSchemeKey
	attrError  = semconv.ErrorTypeKey
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

// httpKey identifies one series of http.server.request.duration, or with
// code activeCode a route's series of http.server.active_requests.
type httpKey struct {
	rt     *middleware.Route
	method string
	code   int
	scheme string
}

const activeCode = -1

// httpAttrs returns the attribute set of a series, built once: a
// collection then allocates nothing for attributes.
func (p *Producer) httpAttrs(k httpKey) attribute.Set {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.httpSets[k]; ok {
		return s
	}
	route, method := k.rt.HTTPRoute()
	var kv []attribute.KeyValue
	if route != "" {
		kv = append(kv, attrRoute.String(route))
	}
	switch {
	case k.code == activeCode: // by route, and the method it is named with
		if method != "" {
			kv = append(kv, attrMethod.String(method))
		}
	default:
		kv = append(kv, attrMethod.String(k.method), attrStatus.Int(k.code), attrScheme.String(k.scheme))
		if k.code >= 500 {
			kv = append(kv, attrError.String(strconv.Itoa(k.code)))
		}
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
			c.active = append(c.active, metricdata.DataPoint[int64]{Attributes: p.httpAttrs(httpKey{rt: rt, code: activeCode}),
				StartTime: c.start, Time: c.at, Value: rt.InFlight()})
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
