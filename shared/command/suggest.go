package command

import (
	"context"
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/invocation"
	"github.com/kubectl-gitops/kubectl-gitops/shared/suggest"
)

// suiteCommands are the commands of `kubectl gitops`.
func suiteCommands() []string {
	return []string{"trace", "deps", "rollback", "branch", "dev", "diff", "follow"}
}

// SuggestCommand returns "kubectl gitops NAME", as the user typed the suite (ctx), when
// word is, or is a typo of, one of the suite's commands: `kubectl gitops trace deps`
// reads "deps" as a resource type, and the user most likely meant the command.
func SuggestCommand(ctx context.Context, word string) string {
	word = strings.ToLower(word)
	if strings.ContainsAny(word, "/.,") || len(word) < 3 {
		return ""
	}
	for _, c := range suiteCommands() {
		if d := suggest.Distance(word, c, 2); d >= 0 && len(word) >= len(c)-1 {
			return invocation.Command(ctx, c)
		}
	}
	return ""
}
