package sli

// ClassifyStatus classifies an HTTP response for an availability SLI as
// docs/concepts.md defines it at the load balancer: only server errors are bad.
// 5xx is Bad; 1xx, 2xx, 3xx and 4xx are Good (a client's mistake is not the
// service's failure); anything outside 100–599 is not an HTTP status and is
// Invalid. Declare chosen 4xx codes not valid by checking for them first.
func ClassifyStatus(code int) Outcome {
	switch {
	case code >= 100 && code < 500:
		return Good
	case code >= 500 && code < 600:
		return Bad
	}
	return Invalid
}
