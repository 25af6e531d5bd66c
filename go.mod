module github.com/nines-slo/nines

go 1.24

require github.com/google/go-cmp v0.7.0

require github.com/HdrHistogram/hdrhistogram-go v1.4.0
