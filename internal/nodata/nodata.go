// Package nodata is the one "no data" condition behind the ErrNoData
// sentinels of histogram, budget and sli: each package keeps a sentinel of
// its own, with its own message, and errors.Is matches any of them against
// any other, so that a caller checks for no data once, whichever package
// reported it.
package nodata

// Error is a "no data" sentinel.
type Error struct{ msg string }

// New returns a sentinel with the message msg.
func New(msg string) *Error { return &Error{msg: msg} }

func (e *Error) Error() string { return e.msg }

// Is reports whether target is a "no data" sentinel too.
func (e *Error) Is(target error) bool {
	_, ok := target.(*Error)
	return ok
}
