module github.com/nines-slo/nines/contrib/chi

go 1.26.0

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/nines-slo/nines v0.0.0
)
