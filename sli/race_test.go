//go:build race

package sli_test

// raceEnabled reports that the race detector is on: it slows recording
// tenfold, so tests that fill 30 days of traffic skip.
const raceEnabled = true
