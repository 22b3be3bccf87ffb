package status

import (
	"encoding/json"
	"time"
)

// LastSuspensionAnnotation keeps, after a resume, the suspension that ended: why, by
// whom, from when to when. The record beside spec.suspend goes with the suspension, and
// afterwards nothing would say that the minutes a commit waited were a suspension's
// (trace --timeline reads it). One record, the last: it is replaced at each resume.
const LastSuspensionAnnotation = "gitops.kubectl.io/last-suspension"

// LastSuspension is a suspension that ended.
type LastSuspension struct {
	Suspension
	// Resumed is when it ended, ResumedBy who ended it.
	Resumed   time.Time `json:"resumed"`
	ResumedBy string    `json:"resumedBy,omitempty"`
}

// Encode is the record as the annotation holds it.
func (l LastSuspension) Encode() string {
	b, _ := json.Marshal(l)
	return string(b)
}

// LastSuspensionOf reads the record; nil when there is none or it does not parse.
func LastSuspensionOf(annotations map[string]string) *LastSuspension {
	v, ok := annotations[LastSuspensionAnnotation]
	if !ok {
		return nil
	}
	var l LastSuspension
	if json.Unmarshal([]byte(v), &l) != nil || l.Resumed.IsZero() {
		return nil
	}
	return &l
}
