package sli

// Counts are the good and valid events of an SLI over a window. A Counts is
// a plain value.
//
// They are float64 so that weighted aggregates (see Aggregated) share the
// type. Counts of recorded events are whole numbers, exact up to 2^53.
type Counts struct {
	Good  float64 // valid events that met the success criterion
	Valid float64 // events in the SLI's scope
}

// Bad returns the valid events that were not good.
func (c Counts) Bad() float64 { return c.Valid - c.Good }

// Ratio returns the SLI: good ÷ valid, in [0, 1]. With zero valid events it
// returns [ErrNoData], never 0, 1 or NaN.
func (c Counts) Ratio() (float64, error) {
	if c.Valid == 0 {
		return 0, ErrNoData
	}
	return c.Good / c.Valid, nil
}

// Totals are the cumulative counts of everything recorded into an SLI since
// it was created, states added by Add included. Unlike Counts they never
// age out. For a counter to export, which must restart from zero with the
// process, use Recorded instead.
// A Totals is a plain value, a copy taken under the SLI's lock.
type Totals struct {
	Good uint64 // valid events that were good
	Bad  uint64 // valid events that were bad

	// Invalid counts events that were not valid, including those counted
	// in Unknown and Negative.
	Invalid uint64
	// Unknown counts events recorded with an Outcome other than Good, Bad
	// or Invalid; they are not valid.
	Unknown uint64
	// Negative counts latency events with a negative duration; they are not
	// valid.
	Negative uint64
	// Future counts events recorded with a time after the present (the
	// clock's now). They are counted at the present instead, in whatever
	// Good, Bad or Invalid they were.
	Future uint64
	// OutOfRange counts valid events recorded at a time the SLI no longer
	// (or cannot) retain: older than its retention, or outside the years
	// 1678–2262. They are in Good or Bad but in no window.
	OutOfRange uint64
	// Expired counts valid events that aged out of the retention. They are
	// in Good or Bad but in no window any more: the cells of a State add
	// up to Good + Bad − OutOfRange − Expired.
	Expired uint64
}
