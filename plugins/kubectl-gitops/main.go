// Command kubectl-gitops is the whole suite in one binary: krew's plugin `gitops`
// (`kubectl gitops trace …`) and, installed as flux-gitops, the Flux CLI plugin
// (`flux gitops trace …`). Each command is its plugin's own command tree, mounted in
// process.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	branch "github.com/kubectl-gitops/kubectl-gitops/plugins/kubectl-gitops-branch/cmd"
	deps "github.com/kubectl-gitops/kubectl-gitops/plugins/kubectl-gitops-deps/cmd"
	dev "github.com/kubectl-gitops/kubectl-gitops/plugins/kubectl-gitops-dev/cmd"
	diff "github.com/kubectl-gitops/kubectl-gitops/plugins/kubectl-gitops-diff/cmd"
	follow "github.com/kubectl-gitops/kubectl-gitops/plugins/kubectl-gitops-follow/cmd"
	rollback "github.com/kubectl-gitops/kubectl-gitops/plugins/kubectl-gitops-rollback/cmd"
	trace "github.com/kubectl-gitops/kubectl-gitops/plugins/kubectl-gitops-trace/cmd"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(command.Main(command.NewSuite(streams, version,
		trace.New(streams, version), deps.New(streams, version),
		rollback.New(streams, version), branch.New(streams, version), dev.New(streams, version),
		diff.New(streams, version), follow.New(streams, version))))
}
