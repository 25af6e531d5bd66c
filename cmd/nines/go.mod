module github.com/nines-slo/nines/cmd/nines

go 1.26.0

require (
	github.com/nines-slo/nines v0.0.0
	github.com/nines-slo/nines/contrib/openslo v0.0.0
)
