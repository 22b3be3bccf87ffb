package diff

import (
	"encoding/json"
	"slices"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
	"github.com/kubectl-gitops/kubectl-gitops/shared/redact"
)

// FormatSARIF is a SARIF 2.1.0 log for GitHub code scanning: one result per new
// dependency problem, where to fix it.
const FormatSARIF = "sarif"

// sarifRuleOf is one problem the offline comparison finds, as code scanning lists it:
// the kind of Problem it reports, its id and what it checks.
type sarifRuleOf struct{ kind, id, text string }

// sarifRules are the rules, in the order of the driver's list (a result names its
// rule by index too).
func sarifRules() []sarifRuleOf {
	return []sarifRuleOf{
		{"cycle", "gitops/dependency-cycle", "A dependsOn cycle: no Kustomization or HelmRelease on it becomes ready."},
		{"deadlock", "gitops/deadlock", "A dependency wait that can never end: a dependency Flux will not reconcile."},
		{"missing", "gitops/missing-dependency", "A dependsOn names a Kustomization or HelmRelease the cluster does not have."},
		{"file", "gitops/build-failure", "A file the cluster's Flux cannot build or decode."},
	}
}

// The SARIF 2.1.0 objects code scanning reads, and nothing more.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string       `json:"id"`
		ShortDescription sarifMessage `json:"shortDescription"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
)

// writeSARIF writes the new dependency problems of every cluster as one SARIF run.
// Files are relative to the repository's top (%SRCROOT%), as code scanning places
// them on the pull request; what changed without a problem is the comment's and the
// annotations', not code scanning's.
func (d Diff) writeSARIF(out *output.Writer) {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "kubectl-gitops", InformationURI: "https://github.com/kubectl-gitops/kubectl-gitops"}}, Results: []sarifResult{}}
	rules := sarifRules()
	for _, r := range rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: r.id, ShortDescription: sarifMessage{Text: r.text}})
	}
	for _, c := range d.Clusters {
		for _, p := range c.Dependencies.Problems {
			i := slices.IndexFunc(rules, func(r sarifRuleOf) bool { return r.kind == p.Kind })
			if i < 0 {
				i = len(rules) - 1
			}
			res := sarifResult{RuleID: rules[i].id, RuleIndex: i, Level: "error", Message: sarifMessage{Text: redact.Text(c.Path + ": " + p.Message)}}
			if p.File != "" {
				loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: p.File, URIBaseID: "%SRCROOT%"}}}
				if p.Line > 0 {
					loc.PhysicalLocation.Region = &sarifRegion{StartLine: p.Line}
				}
				res.Locations = []sarifLocation{loc}
			}
			run.Results = append(run.Results, res)
		}
	}
	// Written as it is: the writer would show the indentation's newlines as "\n", and
	// encoding/json already escapes every control character; credentials are masked
	// in the messages above.
	b, err := json.MarshalIndent(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}, "", "  ")
	if err == nil {
		_, err = out.W.Write(append(b, '\n'))
	}
	if out.Err == nil {
		out.Err = err
	}
}
