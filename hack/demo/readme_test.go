package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-gitops/kubectl-gitops/shared/exitcode"
	"github.com/kubectl-gitops/kubectl-gitops/shared/testbed"
)

// example is one command line from the README or a --help text.
type example struct {
	origin string
	args   []string
	code   int
}

var exitComment = regexp.MustCompile(`=> exit (\d+)`)

// readmeExamples returns every `kubectl gitops …` line of the README's sh blocks; a
// trailing comment "=> exit N" gives the documented exit code (default 0).
func readmeExamples(t *testing.T, path string) []example {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	inSh := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "```sh"):
			inSh = true
		case strings.HasPrefix(line, "```"):
			inSh = false
		case inSh && strings.HasPrefix(line, "kubectl gitops"):
			out = append(out, parseExample(path+":"+strconv.Itoa(n), line))
		}
	}
	return out
}

// helpExamples returns the `kubectl gitops …` lines of a command's --help examples.
func helpExamples(t *testing.T, ctx context.Context, assets testbed.Assets, args ...string) []example {
	run, err := testbed.Kubectl(ctx, assets, "", append(args, "--help")...)
	if err != nil || run.Code != 0 {
		t.Fatalf("kubectl %v --help: %v\n%s", args, err, run)
	}
	var out []example
	_, examples, _ := strings.Cut(run.Stdout, "\nExamples:\n")
	examples, _, _ = strings.Cut(examples, "\n\n\n")
	for _, line := range strings.Split(examples, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasSuffix(line, ":") && !strings.HasPrefix(line, "#") {
			break // the next section (Available Commands:, Flags:)
		}
		if strings.HasPrefix(line, "kubectl gitops") {
			out = append(out, parseExample(strings.Join(args, " ")+" --help", line))
		}
	}
	if len(out) == 0 {
		t.Fatalf("kubectl %v --help shows no example", args)
	}
	return out
}

func parseExample(origin, line string) example {
	ex := example{origin: origin}
	if cmd, comment, ok := strings.Cut(line, "#"); ok {
		line = cmd
		if m := exitComment.FindStringSubmatch(comment); m != nil {
			ex.code, _ = strconv.Atoi(m[1])
		}
	}
	ex.args = shellWords(line)[1:] // drop "kubectl"
	return ex
}

// shellWords splits a command line as a shell would for the examples' needs: blanks
// separate words, and single or double quotes keep blanks inside one.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestReadmeAndHelpExamples runs every example of the README and of each --help text
// against the demo fleet, through the real kubectl, from inside a clone of the fleet.
func TestReadmeAndHelpExamples(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	bed := testbed.Start(t, testbed.Options{Flux: true, ControllerManager: true})
	fleet, err := bed.StartDemoFleetWith(ctx, testbed.DemoOptions{Workload: true})
	if err != nil {
		t.Fatal(err)
	}
	root, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	examples := readmeExamples(t, filepath.Join(root, "README.md"))
	if len(examples) < 10 {
		t.Fatalf("found %d README examples, expected the README's sh blocks to hold more", len(examples))
	}
	for _, cmd := range [][]string{{"gitops", "trace"}, {"gitops", "deps"}, {"gitops", "rollback"}, {"gitops", "branch"},
		{"gitops", "rollback", "history"}, {"gitops", "rollback", "suspend"}, {"gitops", "rollback", "resume"},
		{"gitops", "rollback", "pin"}, {"gitops", "rollback", "unpin"}, {"gitops", "rollback", "revert"},
		{"gitops", "branch", "show"}, {"gitops", "branch", "set"}, {"gitops", "branch", "restore"},
		// A whole session, in order: the examples of each step run on the one before.
		{"gitops", "dev"}, {"gitops", "dev", "start"}, {"gitops", "dev", "status"}, {"gitops", "dev", "test"},
		{"gitops", "dev", "diff"}, {"gitops", "dev", "checkpoint"}, {"gitops", "dev", "abort"}, {"gitops", "dev", "finish"},
		{"gitops", "diff"}, {"gitops", "follow"}} {
		examples = append(examples, helpExamples(t, ctx, bed.Assets, cmd...)...)
	}
	for _, ex := range examples {
		t.Run("example "+strings.Join(ex.args, " "), func(t *testing.T) {
			run, err := testbed.KubectlIn(ctx, bed.Assets, fleet.Kubeconfig, fleet.Repo.Work, ex.args...)
			if err != nil {
				t.Fatal(err)
			}
			if run.Code != ex.code {
				t.Errorf("%s: exit %d, documented %d\n%s", ex.origin, run.Code, ex.code, run)
			}
			if strings.Contains(run.Stderr, "goroutine ") || strings.Contains(run.Stderr, "panic") {
				t.Errorf("%s: crashed\n%s", ex.origin, run)
			}
			if ex.code == 0 && strings.TrimSpace(run.Stdout) == "" {
				t.Errorf("%s: printed nothing", ex.origin)
			}
		})
	}
}

// TestReadmeExitCodes compares the README's exit-code table with the one definition
// every --help is generated from.
func TestReadmeExitCodes(t *testing.T) {
	root, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(data), "\n## Exit codes\n")
	section, _, _ = strings.Cut(section, "\n## ")
	row := regexp.MustCompile(`(?m)^\| (\d+) \| (.+) \|$`)
	var got []string
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		got = append(got, m[1]+" "+m[2])
	}
	var want []string
	for _, r := range exitcode.Table() {
		want = append(want, strconv.Itoa(int(r.Code))+" "+r.Meaning)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README exit codes:\n%s\nwant (shared/exitcode.Table):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
