//go:build linux

// Command peakrss runs a command and writes its wall time and peak resident set size
// as JSON to the file named by -o; the command's output, input and exit code pass
// through. Benchmarks start binaries through it because the rusage of a child that a
// large Go process starts directly reports the parent's peak, not the child's: Go
// starts children with vfork (CLONE_VM), and at exec Linux records the parent's
// high-water mark as the child's. A benchmark that had traced 10,000 objects in process
// reported its own ~220 MiB for every binary it ran. This process is small, so the
// mark it hands on is below anything measured. Linux only, as the bed is.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Result is what -o receives.
type Result struct {
	WallSeconds float64 `json:"wallSeconds"`
	PeakRSSKiB  int64   `json:"peakRSSKiB"`
	ExitCode    int     `json:"exitCode"`
}

func main() {
	out := flag.String("o", "", "file the JSON result is written to")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: peakrss -o RESULT.json COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// A benchmark that is stopped kills this runner: the binary measured goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(2)
	}
	usage, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r := Result{WallSeconds: wall.Seconds(), ExitCode: cmd.ProcessState.ExitCode()}
	if usage != nil {
		r.PeakRSSKiB = usage.Maxrss // kilobytes on Linux
	}
	b, _ := json.Marshal(r)
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(2)
	}
	os.Exit(r.ExitCode)
}
