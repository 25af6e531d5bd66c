module github.com/nines-slo/nines/contrib/gorilla

go 1.26.0

require (
	github.com/gorilla/mux v1.8.1
	github.com/nines-slo/nines v0.0.0
)
