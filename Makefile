# kubectl-gitops: build, test bed and demo. `make test` is what CI (.ci/run) runs.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PLUGINS := trace deps rollback branch dev diff follow
# shared/testbed is its own module (envtest, the controllers' pins): the library the
# binaries import never requires it; check-deps keeps it that way.
THIRD_PARTY := third_party/jsonschema
MODULES := shared shared/testbed $(addprefix plugins/kubectl-gitops-,$(PLUGINS)) plugins/kubectl-gitops hack/demo
# A bound on each test binary: the bed-backed suites take minutes, never this long.
TEST_TIMEOUT ?= 30m

.PHONY: all build build-standalone testbin test test-third-party unit fuzz vet lint fmt-check check-deps demo bench clean dist krew-manifests install

all: build

## build: the plugin binaries in bin/, each with its kubectl completion link. Static
## (no cgo), as the release archives are: the binaries tested and benchmarked are the
## ones users install (a cgo build is dynamically linked and maps ~26 MB more at start).
build: export CGO_ENABLED = 0
build:
	@mkdir -p bin
	@for p in $(PLUGINS); do \
		(cd plugins/kubectl-gitops-$$p && go build -trimpath -ldflags "$(LDFLAGS)" -o ../../bin/kubectl-gitops-$$p .); \
		ln -sf kubectl-gitops-$$p bin/kubectl_complete-gitops-$$p; \
	done
	@cd plugins/kubectl-gitops && go build -trimpath -ldflags "$(LDFLAGS)" -o ../../bin/kubectl-gitops .
	@ln -sf kubectl-gitops bin/kubectl_complete-gitops
	@echo "built: $$(ls bin | tr '\n' ' ')"

## build-standalone: every plugin module builds alone, without the workspace
build-standalone:
	@for p in $(PLUGINS); do \
		(cd plugins/kubectl-gitops-$$p && GOWORK=off go build -o /dev/null .); \
	done
	@cd plugins/kubectl-gitops && GOWORK=off go build -o /dev/null .
	@echo "standalone builds: ok"

## dist: reproducible release archives and checksums.txt in dist/ (VERSION=v0.1.0)
DIST ?= dist
PLATFORMS ?= linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64
dist:
	@cd hack/release && GOWORK=off go run . dist -root "$(CURDIR)" -version "$(VERSION)" -platforms "$(PLATFORMS)" -out "$(abspath $(DIST))"

## krew-manifests: krew and Flux CLI plugin manifests for the archives in dist/
krew-manifests:
	@cd hack/release && GOWORK=off go run . manifests -root "$(CURDIR)" -version "$(VERSION)" -dist "$(abspath $(DIST))" \
		-krew "$(CURDIR)/krew-manifests" -flux "$(CURDIR)/krew-manifests/flux"

## install: the suite, the plugins and kubectl's completion helpers into PREFIX/bin
PREFIX ?= $(HOME)/.local
install: build
	@install -d "$(PREFIX)/bin"
	@for b in kubectl-gitops $(addprefix kubectl-gitops-,$(PLUGINS)); do \
		install -m 0755 "bin/$$b" "$(PREFIX)/bin/$$b"; \
		ln -sf "$$b" "$(PREFIX)/bin/kubectl_complete-$${b#kubectl-}"; \
	done
	@echo "installed in $(PREFIX)/bin: make sure it is on PATH, then 'kubectl gitops'"

## testbin: etcd, kube-apiserver, kubectl and the Flux controllers, cached by version
testbin:
	@bash hack/testbin.sh

vet:
	@for m in $(MODULES); do (cd $$m && go vet ./...); done
	@cd hack/release && GOWORK=off go vet ./...

## lint: staticcheck's default checks (the Go community's linter), pinned, on every module
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	@for m in $(MODULES); do (cd $$m && go run $(STATICCHECK) ./...) || exit 1; done
	@cd hack/release && GOWORK=off go run $(STATICCHECK) ./...
	@echo "staticcheck: clean"

## check-deps: the library (shared, its tests included) imports neither the test bed nor envtest,
## so its go.mod carries only what the binaries need
check-deps:
	@deps=$$(cd shared && go list -deps -test ./...); \
	bad=$$(grep -E '^(sigs\.k8s\.io/controller-runtime/pkg/envtest|github\.com/kubectl-gitops/kubectl-gitops/shared/testbed)([/ ]|$$)' <<<"$$deps" || true); \
	if [ -n "$$bad" ]; then \
		echo "check-deps: the shared module (tests included) must not import the test bed or envtest; it imports:"; \
		echo "$$bad"; echo "move the test that needs the bed to a plugin module"; exit 1; \
	fi
	@echo "check-deps: shared imports no test bed"

fmt-check:
	@out=$$(gofmt -l shared plugins hack); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## test: every module's tests against the real test bed, then the redaction fuzzer for a bounded time
test: fmt-check check-deps vet lint build build-standalone testbin
	@for m in $(MODULES); do \
		echo "=== go test $$m"; \
		(cd $$m && go test -count=1 -timeout $(TEST_TIMEOUT) ./...); \
	done
	@$(MAKE) --no-print-directory test-third-party
	@$(MAKE) --no-print-directory fuzz

## fuzz: the redaction fuzzer (a marker secret in every credential position never printed)
FUZZTIME ?= 30s
fuzz:
	@cd shared && go test -run '^$$' -fuzz FuzzRedact -fuzztime $(FUZZTIME) ./redact

## unit: the tests that need no test bed (bed-backed tests skip themselves under -short)
unit: test-third-party
	@for m in $(MODULES); do (cd $$m && go test -short -count=1 ./...); done

## test-third-party: the tests of the patched copies in third_party/ (each its own
## module outside the workspace: every module replaces the upstream with it).
test-third-party:
	@for m in $(THIRD_PARTY); do echo "=== go test $$m"; (cd $$m && GOWORK=off go test -count=1 ./...); done

## demo: a local control plane, Flux and a Git server with a sample fleet; Ctrl-C stops it.
## Built, then exec'd in place of the shell: `go run` exits 1 whenever it is interrupted,
## which make reported as "Error 1" after a clean shutdown.
demo: build testbin
	@cd hack/demo && go build -o demo . && exec ./demo

## bench: the benchmarks whose figures are in BENCHMARKS.md
bench: build testbin
	@cd shared && go test -run '^$$' -bench . -benchmem ./...
	@cd plugins/kubectl-gitops-deps && go test -run '^$$' -bench LoadLive2000 -benchmem .
	@cd plugins/kubectl-gitops-trace && go test -run '^$$' -bench . -benchtime 5x ./...
	@cd plugins/kubectl-gitops-follow && go test -run '^$$' -bench FollowRequests -benchtime 1x .

clean:
	rm -rf bin
