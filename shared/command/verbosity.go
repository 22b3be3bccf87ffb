package command

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kubectl-gitops/kubectl-gitops/shared/output"
)

// VerbosityFlag is kubectl's -v/--v: the same word in a kubectl habit means the same
// thing here, the log level of client-go's request logging, never --version.
const VerbosityFlag = "v"

// MaxVerbosity is the highest level honoured: from 8 on client-go prints response
// bodies (Secret values among them), which never reach the screen.
const MaxVerbosity = 7

// addVerbosityFlag binds -v/--v on cmd and every command under it.
func addVerbosityFlag(cmd *cobra.Command) {
	cmd.PersistentFlags().Int32P(VerbosityFlag, VerbosityFlag, 0,
		fmt.Sprintf("Log `level`, as kubectl's -v: 6 logs every request to the API server with its status and duration, 7 its headers too; higher levels print as %d (no response bodies).", MaxVerbosity))
}

// setVerbosity turns on client-go's request logging at the level -v asked for, on
// stderr with every line made Safe. It runs before any client is built: client-go
// decides when building a transport whether it logs.
func setVerbosity(cmd *cobra.Command) error {
	f := cmd.Flags().Lookup(VerbosityFlag)
	if f == nil || !f.Changed {
		return nil
	}
	level, err := strconv.Atoi(f.Value.String())
	if err != nil || level <= 0 {
		return nil
	}
	level = min(level, MaxVerbosity)
	var fs flag.FlagSet
	klog.InitFlags(&fs)
	if err := fs.Set("v", strconv.Itoa(level)); err != nil {
		return err
	}
	klog.SetLogger(logr.New(&stderrSink{w: cmd.ErrOrStderr(), level: level, mu: &sync.Mutex{}}))
	return nil
}

// stderrSink writes klog's lines in kubectl's shape ("I1203 16:40:00.123456 msg
// key=value …"), one Write per line, each made Safe: credentials masked, control
// characters visible.
type stderrSink struct {
	w      io.Writer
	level  int
	mu     *sync.Mutex
	name   string
	values []any
}

func (s *stderrSink) Init(logr.RuntimeInfo) {}

func (s *stderrSink) Enabled(level int) bool { return level <= s.level }

func (s *stderrSink) Info(_ int, msg string, kv ...any) { s.write("I", msg, nil, kv) }

func (s *stderrSink) Error(err error, msg string, kv ...any) { s.write("E", msg, err, kv) }

func (s *stderrSink) WithValues(kv ...any) logr.LogSink {
	c := *s
	c.values = append(append([]any(nil), s.values...), kv...)
	return &c
}

func (s *stderrSink) WithName(name string) logr.LogSink {
	c := *s
	if c.name != "" {
		name = c.name + "/" + name
	}
	c.name = name
	return &c
}

func (s *stderrSink) write(severity, msg string, err error, kv []any) {
	var b strings.Builder
	b.WriteString(severity + time.Now().Format("0102 15:04:05.000000") + " ")
	if s.name != "" {
		b.WriteString(s.name + ": ")
	}
	b.WriteString(msg)
	if err != nil {
		fmt.Fprintf(&b, " err=%q", err.Error())
	}
	all := append(append([]any(nil), s.values...), kv...)
	for i := 0; i+1 < len(all); i += 2 {
		switch v := all[i+1].(type) {
		case string:
			fmt.Fprintf(&b, " %v=%q", all[i], v)
		default:
			fmt.Fprintf(&b, " %v=%v", all[i], v)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = io.WriteString(s.w, output.Safe(b.String())+"\n")
}
