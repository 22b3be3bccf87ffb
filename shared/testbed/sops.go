package testbed

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// AgeKey makes an age key pair with age-keygen (hack/testbin.sh builds it with sops):
// identity is the private key a Kustomization's decryption Secret holds
// (age.agekey), recipient the public key SOPS encrypts to.
func (a Assets) AgeKey(ctx context.Context) (identity, recipient string, err error) {
	out, err := a.run(ctx, "", "age-keygen")
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(out, "\n") {
		if r, ok := strings.CutPrefix(line, "# public key: "); ok {
			recipient = strings.TrimSpace(r)
		}
	}
	if recipient == "" {
		return "", "", fmt.Errorf("age-keygen printed no public key")
	}
	return out, recipient, nil
}

// SOPSEncrypt encrypts a manifest for recipient with the sops CLI, as a fleet
// repository holds a Secret: `sops --encrypt --age R --encrypted-regex
// '^(data|stringData)$'`, so that kind and name stay readable and the values and MAC
// are encrypted. The sops CLI is the version kustomize-controller decrypts with.
func (a Assets) SOPSEncrypt(ctx context.Context, recipient, manifest string) (string, error) {
	dir, err := os.MkdirTemp("", "gitops-sops-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "secret.yaml")
	if err := os.WriteFile(file, []byte(manifest), 0o600); err != nil {
		return "", err
	}
	return a.run(ctx, dir, "sops", "--encrypt", "--age", recipient, "--encrypted-regex", "^(data|stringData)$", file)
}

// run runs one of the bed's binaries in dir and returns its stdout.
func (a Assets) run(ctx context.Context, dir, name string, args ...string) (string, error) {
	if _, err := os.Stat(a.Bin(name)); err != nil {
		return "", fmt.Errorf("test bed binary %s not found in %s: run 'make testbin' first", name, a.Dir)
	}
	cmd := exec.CommandContext(ctx, a.Bin(name), args...)
	cmd.Dir = dir
	// No user's sops or age configuration is read.
	cmd.Env = append(os.Environ(), "SOPS_AGE_KEY_FILE=/dev/null", "XDG_CONFIG_HOME="+os.DevNull)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w: %s", name, err, stderr.String())
	}
	return stdout.String(), nil
}
