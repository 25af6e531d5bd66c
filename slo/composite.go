package slo

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/nines-slo/nines/sli"
)

// Component is one objective of a composite ([Config.Components]).
type Component struct {
	// Objective is the component: its SLI and its target. Required.
	Objective *Objective
	// Weight multiplies the component's share of the composite's burn
	// rate; zero means 1. At most [sli.MaxWeight].
	Weight float64
	// WhenNoData is what the component counts as over a window in which
	// it has no valid events. Over a window shorter than its slices it is
	// left out whatever its WhenNoData (see [Composite]).
	WhenNoData NoDataPolicy
}

// NoDataPolicy is what a composite's component without valid events in a
// window counts as, after Nobl9's whenDelayed.
type NoDataPolicy uint8

// What a component without data counts as.
const (
	// NoDataIgnore leaves the component out of the window: the others'
	// weights share its part. The default.
	NoDataIgnore NoDataPolicy = iota
	// NoDataGood counts it as burning nothing.
	NoDataGood
	// NoDataBad counts it as burning at its fastest, every event bad.
	NoDataBad
)

// String returns "ignore", "good" or "bad".
func (p NoDataPolicy) String() string {
	switch p {
	case NoDataIgnore:
		return "ignore"
	case NoDataGood:
		return "good"
	case NoDataBad:
		return "bad"
	}
	return "NoDataPolicy(" + strconv.Itoa(int(p)) + ")"
}

// Composite is the SLI of an objective made of objectives
// ([Config.Components]): a user journey through a cart, a payment and a
// confirmation, each an objective of its own with its own SLI and
// target. It is what [Objective.SLI] returns for a composite objective.
//
// It combines the components' burn rates, not their events: over a
// window, the composite burns at the weighted mean of its components'
// burn rates,
//
//	B = Σ wᵢ·bᵢ ÷ Σ wᵢ,   bᵢ = (badᵢ ÷ validᵢ) ÷ (1 − targetᵢ),
//
// so a component at 99.9% weighs as much at its target as one at 99% at
// its own, whatever their traffic, and the composite's budget left is
// the weighted mean of its components' (1 − B over the window: each
// component's own remaining fraction, when its window is the
// composite's). Its Counts are the components' weighted valid events,
// Σ wᵢ·validᵢ ÷ Σ wᵢ, of which the fraction (1 − Target)·B is bad, so that
// the objective's budget, burn rates, alerts, minimum events and
// attainment come out of B unchanged; a burn above 1 ÷ (1 − Target)
// (everything bad, at the composite's target) reports that most. A
// component without valid events in a window follows its WhenNoData; the
// window has no data when no component has.
//
// A time-slice component is left out of a window shorter than its slices,
// whatever its WhenNoData: such a window holds one of its slices now and
// then and none the rest of the time. A composite component is left out of
// a window shorter than the shortest slices of its own components, when
// all of them are time-slice objectives (over a longer window it leaves
// out what it must itself). No alert rule reads such a window: [New]
// leaves out the default rules whose Short window is shorter than the
// longest slice of any component at any depth (all three of them under
// 1-day slices) and refuses other such rules; the burn rates a status
// reports over shorter windows leave those components out. The slices of
// every component, at any depth, must tile the composite's window as a
// time-slice SLI's own must (see [New]).
//
// Components are read over the composite's windows, whatever their own:
// a 30-day composite of a 7-day component reads 30 days of the
// component's SLI, which must retain them. Components may be time-slice
// objectives, events and slices mixed (burn rates have no unit), and
// composites themselves. A Composite holds no state of its own; its
// components' SLIs are snapshotted under their objectives' names.
//
// It follows OpenSLO v1's composite ("weight multiplies the rate of
// burning") and Nobl9's (weights, whenDelayed) where they agree, and
// differs from both in two places: weights are normalized, so a
// composite of components each burning at 1 burns at 1, where a plain
// sum of weighted rates would burn at their number; and budgeting methods
// may be mixed, which both forbid, since rates combine where events and
// slices do not.
type Composite struct {
	parts    []Component     // weights filled in
	shortest []time.Duration // per part, the shortest window it is read over (see shortestWindow)
	fraction float64         // 1 − the composite's target
}

var _ sli.Source = (*Composite)(nil)

// newComposite checks the components of c for an objective of target
// whose error rate is fraction.
func newComposite(c Config, w Window, fraction float64) (*Composite, error) {
	if c.SLI != nil {
		return nil, fmt.Errorf("%w: SLI and Components: a composite's SLI is its components", ErrInvalidConfig)
	}
	seen := map[*Objective]bool{}
	comp := &Composite{fraction: fraction}
	for i, p := range c.Components {
		switch {
		case p.Objective == nil:
			return nil, fmt.Errorf("%w: Components[%d].Objective is nil", ErrInvalidConfig, i)
		case seen[p.Objective]:
			return nil, fmt.Errorf("%w: Components[%d]: %q is a component twice", ErrInvalidConfig, i, p.Objective.name)
		case !(p.Weight >= 0 && p.Weight <= sli.MaxWeight):
			return nil, fmt.Errorf("%w: Components[%d].Weight %v is not in [0, %v]", ErrInvalidConfig, i, p.Weight, sli.MaxWeight)
		case p.WhenNoData > NoDataBad:
			return nil, fmt.Errorf("%w: Components[%d].WhenNoData %v", ErrInvalidConfig, i, p.WhenNoData)
		}
		var err error
		eachLeaf(p.Objective.src, func(src sli.Source) {
			if sl, ok := src.(sli.SliceSource); ok && err == nil {
				err = checkSlices(sl, w)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("%w (Components[%d], %q)", err, i, p.Objective.name)
		}
		seen[p.Objective] = true
		if p.Weight == 0 {
			p.Weight = 1
		}
		comp.parts = append(comp.parts, p)
		comp.shortest = append(comp.shortest, shortestWindow(p.Objective.src))
	}
	return comp, nil
}

// eachLeaf calls f with every SLI that src reads: src itself, or, for a
// composite, those its components read, to any depth.
func eachLeaf(src sli.Source, f func(sli.Source)) {
	c, ok := src.(*Composite)
	if !ok {
		f(src)
		return
	}
	for _, p := range c.parts {
		eachLeaf(p.Objective.src, f)
	}
}

// sliceOf returns the slice length of a time-slice SLI, and 0 for others.
func sliceOf(src sli.Source) time.Duration {
	if sl, ok := src.(sli.SliceSource); ok {
		return sl.Slicing().Length
	}
	return 0
}

// shortestWindow returns the length under which a window can hold no data
// of src: the shortest slice among the SLIs it reads, 0 when one of them is
// not a time-slice SLI. A composite leaves out of such a window the
// component src is.
func shortestWindow(src sli.Source) time.Duration {
	l := time.Duration(math.MaxInt64)
	eachLeaf(src, func(leaf sli.Source) { l = min(l, sliceOf(leaf)) })
	return l
}

// Components returns a copy of the components, weights filled in.
func (c *Composite) Components() []Component { return append([]Component(nil), c.parts...) }

// longestSlice returns the longest slice among the components that are
// time-slice objectives, at any depth, and 0 when none is: alert windows
// shorter than it would see no slice of that component.
func (c *Composite) longestSlice() time.Duration {
	var l time.Duration
	eachLeaf(c, func(leaf sli.Source) { l = max(l, sliceOf(leaf)) })
	return l
}

// ComponentBurn is one component's part in a composite over a window.
type ComponentBurn struct {
	Name     string  // the component objective's name
	Weight   float64 // its weight
	Good     float64 // its good events in the window (slices, for a time-slice objective)
	Valid    float64 // its valid events in the window
	Rate     float64 // its burn rate against its own target; without data, as WhenNoData says, or 0 when Excluded
	NoData   bool    // no valid events in the window
	Excluded bool    // left out of the window: NoData under NoDataIgnore, or a window shorter than its slices (see Composite)
}

// burnsAt reads every component over the window (t − w, t] and returns
// their parts, the composite's burn rate and weighted valid events, and
// whether any component had data.
func (c *Composite) burnsAt(t time.Time, w time.Duration) ([]ComponentBurn, float64, float64, bool, error) {
	out := make([]ComponentBurn, len(c.parts))
	var sumW, sumWB, sumWV float64
	data := false
	for i, p := range c.parts {
		o := p.Objective
		counts, err := o.src.CountsAt(t, w)
		if err != nil {
			return nil, 0, 0, false, fmt.Errorf("component %q: %w", o.name, err)
		}
		b := ComponentBurn{Name: o.name, Weight: p.Weight, Good: counts.Good, Valid: counts.Valid, NoData: counts.Valid == 0}
		// Over a window shorter than its slices, the component is left
		// out, whatever the window holds.
		b.Excluded = w < c.shortest[i]
		allowed := o.target.ErrorRate()
		switch {
		case !b.NoData:
			b.Rate = (counts.Bad() / counts.Valid) / allowed
			data = data || !b.Excluded
		case b.Excluded:
		case p.WhenNoData == NoDataBad:
			b.Rate = 1 / allowed
		case p.WhenNoData == NoDataIgnore:
			b.Excluded = true
		}
		out[i] = b
		if !b.Excluded {
			sumW += p.Weight
			sumWB += p.Weight * b.Rate
			sumWV += p.Weight * counts.Valid
		}
	}
	if sumW == 0 || !data {
		return out, 0, 0, false, nil
	}
	return out, sumWB / sumW, sumWV / sumW, true, nil
}

// CountsAt returns the composite's counts over the window (t − window,
// t]: its components' weighted valid events, the fraction (1 − Target)
// of them times the composite's burn rate bad (see Composite). The first
// component that fails fails the whole, named.
func (c *Composite) CountsAt(t time.Time, window time.Duration) (sli.Counts, error) {
	_, burn, valid, ok, err := c.burnsAt(t, window)
	if err != nil || !ok {
		return sli.Counts{}, err
	}
	bad := math.Min(c.fraction*burn, 1) * valid
	return sli.Counts{Good: valid - bad, Valid: valid}, nil
}
