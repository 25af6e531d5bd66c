package ninesopenslo

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The OpenSLO v1 objects this package reads and writes, field for field as
// the specification names them. Fields nines has no use for (data sources,
// notification targets' details, labels) are read so that a valid file is
// never refused for holding them, and otherwise left alone.

const apiVersion = "openslo/v1"

// header is what every document starts with; the spec is decoded once the
// kind is known.
type header struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   metadata `yaml:"metadata"`
}

type metadata struct {
	Name        string            `yaml:"name"`
	DisplayName string            `yaml:"displayName,omitempty"`
	Labels      map[string]any    `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type serviceDoc struct {
	header `yaml:",inline"`
	Spec   struct {
		Description string `yaml:"description,omitempty"`
	} `yaml:"spec"`
}

type sliDoc struct {
	header `yaml:",inline"`
	Spec   sliSpec `yaml:"spec"`
}

type sliSpec struct {
	Description     string        `yaml:"description,omitempty"`
	ThresholdMetric *metricHolder `yaml:"thresholdMetric,omitempty"`
	RatioMetric     *ratioMetric  `yaml:"ratioMetric,omitempty"`
}

type ratioMetric struct {
	Counter bool          `yaml:"counter"`
	Good    *metricHolder `yaml:"good,omitempty"`
	Bad     *metricHolder `yaml:"bad,omitempty"`
	Total   *metricHolder `yaml:"total,omitempty"`
	RawType string        `yaml:"rawType,omitempty"`
	Raw     *metricHolder `yaml:"raw,omitempty"`
}

type metricHolder struct {
	MetricSource metricSource `yaml:"metricSource"`
}

type metricSource struct {
	MetricSourceRef string         `yaml:"metricSourceRef,omitempty"`
	Type            string         `yaml:"type,omitempty"`
	Spec            map[string]any `yaml:"spec"`
}

// inlineSLI is an SLI written inside an SLO (spec.indicator).
type inlineSLI struct {
	Metadata metadata `yaml:"metadata"`
	Spec     sliSpec  `yaml:"spec"`
}

type sloDoc struct {
	header `yaml:",inline"`
	Spec   sloSpec `yaml:"spec"`
}

type sloSpec struct {
	Description     string       `yaml:"description,omitempty"`
	Service         string       `yaml:"service"`
	Indicator       *inlineSLI   `yaml:"indicator,omitempty"`
	IndicatorRef    string       `yaml:"indicatorRef,omitempty"`
	TimeWindow      []timeWindow `yaml:"timeWindow,omitempty"`
	BudgetingMethod string       `yaml:"budgetingMethod"`
	Objectives      []threshold  `yaml:"objectives"`
	AlertPolicies   []policyRef  `yaml:"alertPolicies,omitempty"`
}

type timeWindow struct {
	Duration  string    `yaml:"duration"`
	IsRolling *bool     `yaml:"isRolling,omitempty"`
	Calendar  *calendar `yaml:"calendar,omitempty"`
}

type calendar struct {
	StartTime string `yaml:"startTime"`
	TimeZone  string `yaml:"timeZone"`
}

// threshold is one entry of an SLO's objectives.
type threshold struct {
	DisplayName     string     `yaml:"displayName,omitempty"`
	Op              string     `yaml:"op,omitempty"`
	Value           *float64   `yaml:"value,omitempty"`
	Target          *float64   `yaml:"target,omitempty"`
	TargetPercent   *float64   `yaml:"targetPercent,omitempty"`
	TimeSliceTarget *float64   `yaml:"timeSliceTarget,omitempty"`
	TimeSliceWindow any        `yaml:"timeSliceWindow,omitempty"` // a duration shorthand, or a number of minutes
	Indicator       *inlineSLI `yaml:"indicator,omitempty"`
	IndicatorRef    string     `yaml:"indicatorRef,omitempty"`
	CompositeWeight *float64   `yaml:"compositeWeight,omitempty"`
}

// policyRef is an entry of an SLO's alertPolicies: the name of an
// AlertPolicy, {alertPolicyRef: name}, or an AlertPolicy written inline.
type policyRef struct {
	Ref    string
	Inline *alertPolicyDoc
}

func (p policyRef) MarshalYAML() (any, error) { return p.Ref, nil }

func (p *policyRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&p.Ref)
	}
	var ref struct {
		AlertPolicyRef string `yaml:"alertPolicyRef"`
	}
	if err := n.Decode(&ref); err == nil && ref.AlertPolicyRef != "" {
		p.Ref = ref.AlertPolicyRef
		return nil
	}
	p.Inline = new(alertPolicyDoc)
	if err := n.Decode(p.Inline); err != nil {
		return err
	}
	if p.Inline.Kind != "AlertPolicy" {
		return fmt.Errorf("an alert policy written inline has kind %q, not AlertPolicy", p.Inline.Kind)
	}
	return nil
}

type alertPolicyDoc struct {
	header `yaml:",inline"`
	Spec   alertPolicySpec `yaml:"spec"`
}

type alertPolicySpec struct {
	Description         string         `yaml:"description,omitempty"`
	AlertWhenNoData     bool           `yaml:"alertWhenNoData"`
	AlertWhenResolved   bool           `yaml:"alertWhenResolved"`
	AlertWhenBreaching  bool           `yaml:"alertWhenBreaching"`
	Conditions          []conditionRef `yaml:"conditions"`
	NotificationTargets []targetRef    `yaml:"notificationTargets"`
}

// conditionRef is an AlertPolicy's condition: the name of an
// AlertCondition, or one written inline.
type conditionRef struct {
	ConditionRef string              `yaml:"conditionRef,omitempty"`
	Kind         string              `yaml:"kind,omitempty"`
	Metadata     *metadata           `yaml:"metadata,omitempty"`
	Spec         *alertConditionSpec `yaml:"spec,omitempty"`
}

type targetRef struct {
	TargetRef string         `yaml:"targetRef,omitempty"`
	Kind      string         `yaml:"kind,omitempty"`
	Metadata  *metadata      `yaml:"metadata,omitempty"`
	Spec      map[string]any `yaml:"spec,omitempty"`
}

type alertConditionDoc struct {
	header `yaml:",inline"`
	Spec   alertConditionSpec `yaml:"spec"`
}

type alertConditionSpec struct {
	Description string        `yaml:"description,omitempty"`
	Severity    string        `yaml:"severity"`
	Condition   burnCondition `yaml:"condition"`
}

type burnCondition struct {
	Kind           string  `yaml:"kind,omitempty"`
	Op             string  `yaml:"op"`
	Threshold      float64 `yaml:"threshold"`
	LookbackWindow string  `yaml:"lookbackWindow"`
	AlertAfter     string  `yaml:"alertAfter,omitempty"`
}

type notificationTargetDoc struct {
	header `yaml:",inline"`
	Spec   struct {
		Description string `yaml:"description,omitempty"`
		Target      string `yaml:"target"`
	} `yaml:"spec"`
}

type dataSourceDoc struct {
	header `yaml:",inline"`
	Spec   map[string]any `yaml:"spec"`
}
