package budget

import (
	"fmt"
	"time"
)

// Cause says why budget was deducted by hand.
type Cause uint8

// Causes of deductions. docs/concepts.md: incidents, planned maintenance, deployment
// downtime and incident-response drills all consume error budget.
const (
	// Maintenance is planned maintenance that made the service unavailable.
	Maintenance Cause = iota + 1
	// Deployment is downtime caused by rolling out a release.
	Deployment
	// Drill is an incident-response exercise that degraded the service.
	Drill
	// Incident is an outage the recorded events did not see, for example
	// because the service was down and recorded nothing. Outages the events
	// did see already consume budget; deducting them again counts them twice.
	Incident
)

// String returns the cause in lower case: "maintenance", "deployment",
// "drill" or "incident".
func (c Cause) String() string {
	switch c {
	case Maintenance:
		return "maintenance"
	case Deployment:
		return "deployment"
	case Drill:
		return "drill"
	case Incident:
		return "incident"
	}
	return fmt.Sprintf("Cause(%d)", uint8(c))
}

// Deduction is downtime charged to the error budget in time terms, kept with
// its cause and a human-readable reason so reports can say where the budget
// went. A deduction of the allowed downtime spends the whole budget; the
// fraction it consumes is Downtime ÷ [Target.AllowedDowntime].
//
// Deductions are for unavailability the recorded events did not capture (a
// maintenance window during which traffic was drained, say). Whoever builds
// the Budget passes only the deductions that fall inside its period.
type Deduction struct {
	Cause    Cause         // why the budget was spent; required
	Reason   string        // free text, for example "postgres 16 upgrade"
	Start    time.Time     // when the downtime began, for reports and windowing
	Downtime time.Duration // how long the service was unavailable; > 0
}

// check validates the i-th deduction of a list.
func (d Deduction) check(i int) error {
	if d.Cause < Maintenance || d.Cause > Incident {
		return fmt.Errorf("%w: deductions[%d].Cause %v", ErrInvalidDeduction, i, d.Cause)
	}
	if d.Downtime <= 0 {
		return fmt.Errorf("%w: deductions[%d].Downtime %v", ErrInvalidDeduction, i, d.Downtime)
	}
	return nil
}
