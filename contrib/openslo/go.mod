module github.com/nines-slo/nines/contrib/openslo

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/nines-slo/nines v0.0.0
	go.yaml.in/yaml/v3 v3.0.6
)
