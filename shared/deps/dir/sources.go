package dir

import (
	"strings"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
)

// ParseSources reads --source flags, KIND/NAMESPACE/NAME=DIR each, into the map
// Options.Sources takes (the source's reference to its local checkout): one parser,
// so that every plugin rendering a repository offline (deps, diff) accepts and
// refuses the same flags with the same words. nil when there are none; a malformed
// one is a usage error. Whether DIR is a folder is the caller's to check.
func ParseSources(flags []string) (map[string]string, error) {
	var out map[string]string
	for _, m := range flags {
		ref, checkout, ok := strings.Cut(m, "=")
		if parts := strings.Split(ref, "/"); !ok || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" || checkout == "" {
			return nil, exitcode.New(exitcode.Usage, "--source %q: give KIND/NAMESPACE/NAME=DIR, e.g. --source OCIRepository/flux-system/apps=../apps", m)
		}
		if out == nil {
			out = map[string]string{}
		}
		out[ref] = checkout
	}
	return out, nil
}
