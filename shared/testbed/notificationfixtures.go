package testbed

import (
	"fmt"
	"strings"
)

// ProviderYAML returns a generic webhook Provider posting every event it is given, as
// JSON, to address (a test's HTTP receiver on loopback).
func ProviderYAML(namespace, name, address string) string {
	return fmt.Sprintf(`apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: %s
  namespace: %s
spec:
  type: generic
  address: %s
`, name, namespace, address)
}

// AlertYAML returns an Alert of every event (severity info) of the given sources,
// each "Kind/name" or "Kind/namespace/name", to provider.
func AlertYAML(namespace, name, provider string, sources ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata:
  name: %s
  namespace: %s
spec:
  providerRef:
    name: %s
  eventSeverity: info
  eventSources:
`, name, namespace, provider)
	for _, s := range sources {
		parts := strings.Split(s, "/")
		fmt.Fprintf(&b, "  - kind: %s\n    name: %q\n", parts[0], parts[len(parts)-1]) // "*" is YAML alias syntax unquoted
		if len(parts) == 3 {
			fmt.Fprintf(&b, "    namespace: %s\n", parts[1])
		}
	}
	return b.String()
}
