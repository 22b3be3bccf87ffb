#!/usr/bin/env bash
# Builds the test bed's binaries (etcd, kube-apiserver, kubectl, source-, kustomize-
# and helm-controller) from the versions pinned in hack/testbin/*/go.mod, through the
# Go module proxy, into a cache keyed by those pins. A second run with everything
# cached only re-links .cache/testbin/current and takes seconds.
#
# notification-controller is its own wrapper module (not beside source- and
# kustomize-controller in flux/) so that pinning it never invalidates their cached builds;
# it is v1.9.3, the newest of Flux 2.9's line the module proxy serves (2.9.5 ships v1.9.4).
#
# Layout (TESTBIN_CACHE defaults to the user's cache folder, outside the checkout, so
# that every checkout, `make test`, `make demo` and CI on one machine share the builds):
#   $TESTBIN_CACHE/<name>-<key>/<name>   one binary per pinned build
#   .cache/testbin/current/              symlinks the tests and `make demo` use:
#       etcd kube-apiserver kube-controller-manager kubectl source-controller kustomize-controller helm-controller
#       notification-controller sealed-secrets-controller kubeseal sops age-keygen
#       krew validate-krew-manifest flux  (the install tests)
#       crds/{source,kustomize,helm,notification}  the CRD folders of the pinned Flux modules
#       crds/sealed  the SealedSecret CRD of the pinned sealed-secrets module
#       crds/external  External Secrets' CRDs (its controller is not built: over the
#                      bed's budget; see hack/testbin/external/go.mod)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${TESTBIN_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/kubectl-gitops/testbin}
current=$root/.cache/testbin/current
mkdir -p "$cache" "$current/crds"
export GOWORK=off GOFLAGS=-mod=mod

# key prints a short hash of a wrapper module's pins: a change of version or replace
# gives a new cache entry, so stale binaries are never reused.
key() { cat "$root/hack/testbin/$1/go.mod" "$root/hack/testbin/$1/go.sum" | sha256sum | cut -c1-12; }

# modversion prints the version a wrapper module resolves for a dependency.
modversion() { (cd "$root/hack/testbin/$1" && go list -m -f '{{.Version}}' "$2"); }

# moddir prints the module-cache folder of a dependency of a wrapper module.
moddir() { (cd "$root/hack/testbin/$1" && go mod download -json "$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); }

# build DIR NAME PACKAGE [LDFLAGS]
build() {
	local dir=$1 name=$2 pkg=$3 ldflags=${4:-}
	local out="$cache/$name-$(key "$dir")/$name"
	if [ ! -x "$out" ]; then
		mkdir -p "$(dirname "$out")"
		# Two checkouts (or a test run and `make demo`) building at once would both spend
		# minutes on the same binary and race on its file: the second waits for the first
		# and then finds it built.
		exec 9>"$out.lock"
		flock 9
		if [ ! -x "$out" ]; then
			echo "testbin: building $name ($pkg), this takes minutes the first time" >&2
			local start=$SECONDS
			(cd "$root/hack/testbin/$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp.$$" "$pkg")
			mv "$out.tmp.$$" "$out"
			echo "testbin: built $name in $((SECONDS - start))s" >&2
		fi
		exec 9>&-
	fi
	ln -sfn "$out" "$current/$name"
}

k8s=$(modversion kube k8s.io/kubernetes)
minor=$(echo "$k8s" | cut -d. -f2)
kver="-X k8s.io/component-base/version.gitVersion=$k8s -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"

build etcd etcd go.etcd.io/etcd/server/v3
build kube kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kver"
build kube kubectl k8s.io/kubernetes/cmd/kubectl "$kver"
# Deployments create ReplicaSets and Pods (with real ownerReferences and events) only
# with the controller manager; no scheduler or kubelet, so Pods stay Pending.
build kube kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$kver"
build flux source-controller github.com/fluxcd/source-controller
build flux kustomize-controller github.com/fluxcd/kustomize-controller
build helm helm-controller github.com/fluxcd/helm-controller
build notification notification-controller github.com/fluxcd/notification-controller
# kubeseal, v0.40.0: the sealed-secrets module declares the path
# github.com/bitnami/sealed-secrets, which the proxy serves only under the repository's
# name, github.com/bitnami-labs/sealed-secrets (hence the replace in its go.mod).
build sealed kubeseal github.com/bitnami/sealed-secrets/cmd/kubeseal

# The sealed-secrets controller of the same module. It only runs in a Pod (its one
# client is rest.InClusterConfig, no kubeconfig flag), and the bed has no Pods: like the
# flux CLI it is built from a copy of the pinned module, with that one call swapped
# for the kubeconfig in $KUBECONFIG (the edit is part of the cache key).
sealed_controller() {
	local from='config, err := rest.InClusterConfig()'
	local to='config, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))'
	local k
	k=$( (key sealed; printf '%s\n%s\n' "$from" "$to") | sha256sum | cut -c1-12)
	local out="$cache/sealed-secrets-controller-$k/sealed-secrets-controller"
	mkdir -p "$(dirname "$out")"
	exec 9>"$out.lock"
	flock 9
	if [ ! -x "$out" ]; then
		echo "testbin: building the sealed-secrets controller, this takes minutes the first time" >&2
		local start=$SECONDS src
		src=$(mktemp -d)
		cp -r "$(moddir sealed github.com/bitnami/sealed-secrets)/." "$src"
		chmod -R u+w "$src"
		local main=$src/pkg/controller/main.go
		grep -qF "$from" "$main" || { echo "testbin: $main no longer calls rest.InClusterConfig as expected" >&2; exit 1; }
		sed -i -e "s|$from|$to|" -e 's|"k8s.io/client-go/rest"|"k8s.io/client-go/tools/clientcmd"|' "$main"
		(cd "$src" && go build -trimpath -ldflags "-s -w" -o "$out.tmp.$$" ./cmd/controller)
		rm -rf "$src"
		mv "$out.tmp.$$" "$out"
		echo "testbin: built the sealed-secrets controller in $((SECONDS - start))s" >&2
	fi
	exec 9>&-
	ln -sfn "$out" "$current/sealed-secrets-controller"
}
sealed_controller

# The sops CLI, at the version kustomize-controller decrypts with, and age-keygen: the
# trace tests encrypt a Secret as a fleet repository holds it.
build sops sops github.com/getsops/sops/v3/cmd/sops
build sops age-keygen filippo.io/age/cmd/age-keygen
if [ "$(modversion sops github.com/getsops/sops/v3)" != "$(modversion flux github.com/getsops/sops/v3)" ]; then
	echo "testbin: sops $(modversion sops github.com/getsops/sops/v3) is not kustomize-controller's $(modversion flux github.com/getsops/sops/v3): pin hack/testbin/sops to it" >&2
	exit 1
fi

# krew and its manifest validator, for the install tests.
build krew krew sigs.k8s.io/krew/cmd/krew
build krew validate-krew-manifest sigs.k8s.io/krew/cmd/validate-krew-manifest

# The flux CLI, for the Flux plugin test. Its module embeds the install manifests that
# its release build generates (cmd/flux/manifests), absent from the module: it is built
# from a copy of the pinned module with an empty manifest list there (`flux install`
# is not what the tests run; the plugin system is untouched).
flux_cli() {
	local out="$cache/flux-$(key fluxcli)/flux"
	mkdir -p "$(dirname "$out")"
	exec 9>"$out.lock"
	flock 9
	if [ ! -x "$out" ]; then
		echo "testbin: building the flux CLI, this takes minutes the first time" >&2
		local start=$SECONDS src
		src=$(mktemp -d)
		cp -r "$(moddir fluxcli github.com/fluxcd/flux2/v2)/." "$src"
		chmod -R u+w "$src"
		mkdir -p "$src/cmd/flux/manifests"
		printf 'apiVersion: v1\nkind: List\nitems: []\n' > "$src/cmd/flux/manifests/placeholder.yaml"
		(cd "$src" && go build -trimpath -ldflags "-s -w -X main.VERSION=$(modversion fluxcli github.com/fluxcd/flux2/v2 | sed 's/^v//')" -o "$out.tmp.$$" ./cmd/flux)
		rm -rf "$src"
		mv "$out.tmp.$$" "$out"
		echo "testbin: built flux in $((SECONDS - start))s" >&2
	fi
	exec 9>&-
	ln -sfn "$out" "$current/flux"
}
flux_cli

# The CRDs are read from the pinned controller modules in the module cache, never copied.
ln -sfn "$(moddir flux github.com/fluxcd/source-controller)/config/crd/bases" "$current/crds/source"
ln -sfn "$(moddir flux github.com/fluxcd/kustomize-controller)/config/crd/bases" "$current/crds/kustomize"
ln -sfn "$(moddir helm github.com/fluxcd/helm-controller)/config/crd/bases" "$current/crds/helm"
ln -sfn "$(moddir notification github.com/fluxcd/notification-controller)/config/crd/bases" "$current/crds/notification"
ln -sfn "$(moddir sealed github.com/bitnami/sealed-secrets)/helm/sealed-secrets/crds" "$current/crds/sealed"
ln -sfn "$(moddir external github.com/external-secrets/external-secrets)/config/crds/bases" "$current/crds/external"

echo "testbin: ready in $current (kubernetes $k8s, binaries in $cache)" >&2
