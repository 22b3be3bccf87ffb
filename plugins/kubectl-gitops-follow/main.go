// Command kubectl-gitops-follow is the kubectl plugin behind 'kubectl gitops follow'.
package main

import (
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-gitops/kubectl-gitops/plugins/kubectl-gitops-follow/cmd"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	os.Exit(command.Main(cmd.New(streams, version)))
}
