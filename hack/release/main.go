// Command release builds the suite's release archives and the manifests that install
// them: `make dist` and `make krew-manifests` run it. Every version, URL and checksum
// in a manifest comes from the archives just built, never from a hand.
//
//	release dist [-root DIR] -version v0.1.0 [-platforms linux/amd64,...] [-out dist]
//	release manifests [-root DIR] -version v0.1.0 [-dist dist] [-base-url URL] [-krew DIR] [-flux DIR]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// allPlatforms are the platforms a release ships for.
func allPlatforms() string {
	return "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: release dist|manifests [flags]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func run(verb string, args []string) error {
	fs := flag.NewFlagSet(verb, flag.ContinueOnError)
	version := fs.String("version", "", "the release version, e.g. v0.1.0")
	out := fs.String("out", "dist", "where dist writes the archives")
	platforms := fs.String("platforms", allPlatforms(), "OS/ARCH list to build")
	distDir := fs.String("dist", "dist", "the archives manifests describes")
	baseURL := fs.String("base-url", "", "where the archives are downloaded from (default: the GitHub release of -version)")
	krewDir := fs.String("krew", "krew-manifests", "where manifests writes the krew manifests")
	fluxDir := fs.String("flux", "krew-manifests/flux", "where manifests writes the Flux CLI plugin manifest and catalog")
	rootDir := fs.String("root", "../..", "the repository, the folder holding go.work (make runs this from hack/release)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*version, "v") {
		return fmt.Errorf("-version %q: give the release's tag, e.g. -version v0.1.0", *version)
	}
	root := *rootDir
	if err := checkRoot(root); err != nil {
		return err
	}
	switch verb {
	case "dist":
		archives, err := dist(root, *out, *version, strings.Split(*platforms, ","))
		for _, a := range archives {
			fmt.Printf("%s  %s\n", a.SHA256, filepath.Join(*out, a.File))
		}
		return err
	case "manifests":
		if *baseURL == "" {
			*baseURL = "https://github.com/kubectl-gitops/kubectl-gitops/releases/download/" + *version
		}
		archives, err := readChecksums(*distDir)
		if err != nil {
			return err
		}
		if err := writeKrew(*krewDir, *version, *baseURL, archives); err != nil {
			return err
		}
		return writeFlux(*fluxDir, *version, *baseURL, archives)
	}
	return fmt.Errorf("unknown verb %q: dist or manifests", verb)
}

// checkRoot makes sure root is the repository: the folder holding go.work.
func checkRoot(root string) error {
	if _, err := os.Stat(filepath.Join(root, "go.work")); err != nil {
		return fmt.Errorf("-root %s: no go.work there: name the repository (make passes it)", root)
	}
	return nil
}

// readChecksums reads the archives dist wrote, from its checksums.txt.
func readChecksums(dir string) ([]Archive, error) {
	data, err := os.ReadFile(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		return nil, fmt.Errorf("%w: run 'make dist' first", err)
	}
	var out []Archive
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		sum, file, ok := strings.Cut(line, "  ")
		if !ok {
			return nil, fmt.Errorf("checksums.txt: unexpected line %q", line)
		}
		// kubectl-gitops_<version>_<os>_<arch>.tar.gz
		parts := strings.Split(strings.TrimSuffix(strings.TrimSuffix(file, ".tar.gz"), ".zip"), "_")
		if len(parts) != 4 {
			return nil, fmt.Errorf("checksums.txt: unexpected archive name %q", file)
		}
		out = append(out, Archive{OS: parts[2], Arch: parts[3], File: file, SHA256: sum})
	}
	return out, nil
}
