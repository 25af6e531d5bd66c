package sli

import "fmt"

// Outcome classifies one event for a ratio SLI.
type Outcome uint8

// Outcomes. The zero Outcome is none of them: recording it counts the event
// as not valid and as Unknown in Totals, which makes a forgotten
// classification visible instead of silently good or bad.
const (
	// Good is a valid event that met the success criterion: a 2xx, 3xx or
	// 4xx response for an availability SLI, say.
	Good Outcome = iota + 1
	// Bad is a valid event that did not: a 5xx response.
	Bad
	// Invalid is an event outside the SLI's scope — a client's malformed
	// request, a client that went away — left out of both good and valid.
	Invalid
)

// String returns "good", "bad" or "invalid".
func (o Outcome) String() string {
	switch o {
	case Good:
		return "good"
	case Bad:
		return "bad"
	case Invalid:
		return "invalid"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}
