package sli_test

import (
	"time"

	"github.com/nines-slo/nines/ninestest"
)

type fakeClock = ninestest.Clock

var newFakeClock = ninestest.NewClock

// t0 is a fixed start, on an hour boundary, for deterministic tests.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
