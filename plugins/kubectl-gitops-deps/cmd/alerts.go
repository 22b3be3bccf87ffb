package cmd

import (
	"context"

	"github.com/kubectl-gitops/kubectl-gitops/shared/alerting"
	"github.com/kubectl-gitops/kubectl-gitops/shared/command"
	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// runAlerts is `deps --alerts`: the Flux objects of the namespace (or every one with
// -A) whose failures reach no Alert that can deliver, and the Alerts there that cannot
// deliver. Its cost is one list per Flux kind, one of Alerts and one of Providers, and
// one GET per Secret a Provider names (its existence only; its data is never used).
// --check fails (exit 7) on any of them, as it does on a dependency problem.
func (o *Options) runAlerts(ctx context.Context) error {
	client, err := o.cluster.Client()
	if err != nil {
		return err
	}
	namespace := o.namespace
	if o.AllNamespaces {
		namespace = ""
	}
	objects, partial, err := alerting.Objects(ctx, client.Dynamic, namespace)
	if err != nil {
		return err
	}
	scope := []string{namespace}
	if namespace == "" {
		scope = nil
	}
	set, err := alerting.Read(ctx, client.Dynamic, scope)
	if err != nil {
		return err
	}
	var alerts []alerting.Alert
	if set != nil {
		for _, a := range set.Alerts {
			if namespace == "" || a.Namespace == namespace {
				alerts = append(alerts, a)
			}
		}
	}
	c := alerting.Cover(objects, set, alerts, alerting.SecretExists(ctx, client.Dynamic))
	c.Partial = c.Partial || partial
	if err := o.printer.Print(o.streams.Out, c); err != nil {
		return err
	}
	if o.Check && c.HasProblems {
		return command.Silent(exitcode.ProblemFound)
	}
	if o.Check && c.Partial {
		return exitcode.New(exitcode.Forbidden, "the check is incomplete: some Alerts, Providers or Flux objects could not be read, so no problem found does not mean none exists")
	}
	return nil
}
