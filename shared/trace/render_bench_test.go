package trace

import (
	"fmt"
	"io"
	"testing"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// bulkReports are the reports of a bulk trace of 10,000 ConfigMaps under 100
// Kustomizations sharing one GitRepository, as BenchmarkTraceBulk10k
// (plugins/kubectl-gitops-trace/cmd) traces them from a cluster.
func bulkReports() []*Report {
	reports := make([]*Report, 0, 10000)
	for k := 0; k < 100; k++ {
		kh := ks(fmt.Sprintf("part-%02d", k), fmt.Sprintf("./part-%02d", k), "main@sha1:"+shaBad)
		for i := 0; i < 100; i++ {
			obj := output.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "bulk", Name: fmt.Sprintf("cm-%02d-%03d", k, i)}
			reports = append(reports, &Report{TypeMeta: output.NewTypeMeta(output.KindTrace), Result: ResultTraced, Object: obj,
				Hops:   []Hop{{Role: RoleObject, Ref: obj}, kh, gitSource()},
				Commit: &Commit{By: kh.Ref, Applied: "main@sha1:" + shaBad, SHA: shaBad, Source: "main@sha1:" + shaBad, Status: CommitCurrent}})
		}
	}
	return reports
}

// BenchmarkWriteHuman10k prints the table (Reports.WriteText) of bulkReports without a cluster: the
// printing half of BenchmarkTraceBulk10k, to profile on its own.
func BenchmarkWriteHuman10k(b *testing.B) {
	reports := bulkReports()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := writeText(io.Discard, reports, false, goldenNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteJSON10k is BenchmarkWriteHuman10k for -o json.
func BenchmarkWriteJSON10k(b *testing.B) {
	reports := bulkReports()
	docs := output.Items(reports)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := output.Write(io.Discard, output.FormatJSON, docs...); err != nil {
			b.Fatal(err)
		}
	}
}
