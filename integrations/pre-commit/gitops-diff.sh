#!/usr/bin/env bash
# The pre-commit hook gitops-diff (.pre-commit-hooks.yaml): what the commit changes in
# every cluster of the repository, rendered offline by the released kubectl-gitops.
#
#   gitops-diff.sh --version v0.1.0 [kubectl-gitops diff flags: -o markdown, --path …]
#
# The release archive of this OS and architecture and its checksums.txt are downloaded
# from KUBECTL_GITOPS_RELEASES (GitHub's releases by default), the archive's sha256
# checked against it, and kubectl-gitops kept in the cache folder for the next run.
# The base is HEAD, or PRE_COMMIT_FROM_REF when pre-commit runs on a range of commits
# (pre-commit run --from-ref origin/main --to-ref HEAD). A change is no failure: the
# hook fails only when a Kustomization no longer builds (exit 1) or on an error.
set -euo pipefail

version="${KUBECTL_GITOPS_VERSION:-}"
if [ "${1:-}" = --version ]; then
	version="${2:-}"
	shift 2
elif [[ "${1:-}" == --version=* ]]; then
	version="${1#--version=}"
	shift
fi
if [ -z "$version" ]; then
	echo "error: give the release to run: args: [--version, v0.1.0] (or KUBECTL_GITOPS_VERSION)" >&2
	exit 2
fi
releases="${KUBECTL_GITOPS_RELEASES:-https://github.com/kubectl-gitops/kubectl-gitops/releases/download}"
case "$(uname -s)" in Darwin) os=darwin ;; *) os=linux ;; esac
case "$(uname -m)" in aarch64 | arm64) arch=arm64 ;; *) arch=amd64 ;; esac
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-gitops/$version/${os}_${arch}"
bin="$cache/kubectl-gitops"

if [ ! -x "$bin" ]; then
	archive="kubectl-gitops_${version#v}_${os}_${arch}.tar.gz"
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	(
		cd "$tmp"
		curl -fsSLO "$releases/$version/$archive"
		curl -fsSLO "$releases/$version/checksums.txt"
		sha256=(sha256sum)
		command -v sha256sum >/dev/null || sha256=(shasum -a 256) # macOS
		if ! grep "  $archive\$" checksums.txt | "${sha256[@]}" -c - >/dev/null 2>&1; then
			echo "error: $archive does not match its sha256 in checksums.txt: not run" >&2
			exit 1
		fi
		tar -xzf "$archive" kubectl-gitops
	)
	mkdir -p "$cache"
	mv "$tmp/kubectl-gitops" "$bin"
fi

code=0
"$bin" diff --dir . --base "${PRE_COMMIT_FROM_REF:-HEAD}" "$@" || code=$?
if [ "$code" = 7 ]; then
	exit 0 # something changes: shown, not a failure
fi
exit "$code"
