package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// app is what every command shares: streams, environment, global flags.
type app struct {
	stdout, stderr io.Writer
	env            configs.Env

	configPath string
	json       bool
	quiet      bool
	verbose    bool
	// tty: stdout and stderr are both terminals (set once, before a
	// command swaps its stdout): progress bars are drawn only then.
	tty      bool
	logLevel string
	// logLevelSet is true when --log-level was given: only then are log
	// lines of level info printed (a person reads the summaries).
	logLevelSet bool
	log         *slog.Logger
	logOut      *logWriter

	// doc is the one JSON document a --json invocation prints, at its
	// end, with the error merged in (see printJSON and run).
	doc map[string]any
	// section, when set, is the key printJSON files a stage's document
	// under (revops run: extract, build, sync).
	section string
	// printed is set when a command wrote its machine output itself
	// (sandbox's one line); an error is then reported on stderr only.
	printed bool
	// run, inside revops run, collects what the stages report.
	run *runState
}

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// run executes the revops command line and returns the process exit code.
//
// Exit codes: 0 success, 1 failure, 2 bad config or bad usage. With
// --json, exactly one JSON document is printed on stdout, errors
// included ({"ok": false, "error": {...}} beside whatever the command
// reported before failing).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env configs.Env) int {
	a := &app{stdout: stdout, stderr: stderr, env: env}
	root := a.rootCmd()
	// Usage errors can stop cobra before --json is parsed; look for it
	// first (after the flag's default was set) so that they are reported
	// as JSON too.
	for _, arg := range args {
		if arg == "--" {
			break
		}
		if arg == "--json" || arg == "--json=true" {
			a.json = true
		}
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		} else if isUsageError(err) {
			code = 2
		}
	}
	switch {
	case a.json && !a.printed:
		doc := a.doc
		if doc == nil {
			doc = map[string]any{}
		}
		if err != nil {
			doc["ok"] = false
			doc["error"] = errorJSON(err)
			doc["exit_code"] = code
		} else if _, ok := doc["ok"]; !ok {
			doc["ok"] = true
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(doc)
	case err != nil:
		fmt.Fprintln(stderr, "revops:", err)
	}
	return code
}

// usageError marks a command line revops cannot run (a wrong argument
// count, an unknown flag or command): exit code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func isUsageError(err error) bool {
	var ue *usageError
	if errors.As(err, &ue) {
		return true
	}
	// cobra reports unknown commands from Find, before any hook runs.
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command ") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag")
}

// markUsage makes every command's argument and flag errors usage errors.
func markUsage(c *cobra.Command) {
	if c.Args != nil {
		args := c.Args
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return &usageError{fmt.Errorf("%s: %w (see %s --help)", cmd.CommandPath(), err, cmd.CommandPath())}
			}
			return nil
		}
	}
	c.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%s: %w (see %s --help)", cmd.CommandPath(), err, cmd.CommandPath())}
	})
	for _, sub := range c.Commands() {
		markUsage(sub)
	}
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "revops",
		Short: "Keep Zoho and Salesforce in step through a warehouse",
		Long: `revops extracts Zoho CRM, Zoho Desk and Salesforce into a warehouse (DuckDB by
default), builds SQL models on them, and syncs changes back to both CRMs.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.logLevelSet = cmd.Flags().Changed("log-level")
			return a.setup()
		},
	}
	def := configs.DefaultPath
	if v, ok := a.env("REVOPS_CONFIG"); ok && v != "" {
		def = v
	}
	f := root.PersistentFlags()
	f.StringVarP(&a.configPath, "config", "c", def, "config file (default ./revops.yaml, or $REVOPS_CONFIG)")
	f.BoolVar(&a.json, "json", false, "print machine-readable JSON")
	f.BoolVarP(&a.quiet, "quiet", "q", false, "print only errors")
	f.BoolVarP(&a.verbose, "verbose", "v", false, "print the details (every model, test, row, object) beside the summary")
	f.StringVar(&a.logLevel, "log-level", "warn", "print log lines (on stderr) from this level on: debug, info, warn, error")
	root.AddCommand(a.initCmd(), a.validateCmd(), a.statusCmd(), a.queryCmd(), a.sandboxCmd(), a.extractCmd(), a.runCmd())
	root.AddCommand(a.buildCmd(), a.testCmd(), a.compileCmd(), a.modelsCmd())
	root.AddCommand(a.syncCmd())
	root.AddCommand(a.linkCmd())
	root.AddCommand(a.identityCmd())
	root.AddCommand(a.reportCmd())
	root.AddCommand(a.pauseCmd(), a.resumeCmd(), a.historyCmd())
	// A command given arguments it does not take is a usage error, not a
	// silently ignored word.
	for _, c := range root.Commands() {
		if c.Args == nil && !c.HasSubCommands() {
			c.Args = cobra.NoArgs
		}
	}
	markUsage(root)
	return root
}

func (a *app) setup() error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(a.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %q is not debug, info, warn or error", a.logLevel)
	}
	if a.quiet && lvl < slog.LevelWarn {
		lvl = slog.LevelWarn
	}
	// Without --log-level only warnings and errors are logged: the
	// commands print their own summary, which info lines would repeat.
	if !a.logLevelSet && lvl < slog.LevelWarn {
		lvl = slog.LevelWarn
	}
	a.tty = isTerminal(a.stdout) && isTerminal(a.stderr)
	a.logOut = &logWriter{w: a.stderr}
	a.log = slog.New(slog.NewTextHandler(a.logOut, &slog.HandlerOptions{Level: lvl}))
	return nil
}

// logWriter is where log lines go: stderr, or, while progress bars are
// drawn there, above the bars (a retry's warning must not tear them).
type logWriter struct {
	mu   sync.Mutex
	w    io.Writer
	bars io.Writer
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	bars := l.bars
	l.mu.Unlock()
	if bars != nil {
		// Progress.Write fails once the bars are done; stderr then.
		if n, err := bars.Write(p); err == nil {
			return n, nil
		}
	}
	return l.w.Write(p)
}

// above sends log lines above bars until the returned func is called.
func (l *logWriter) above(bars io.Writer) func() {
	if l == nil {
		return func() {}
	}
	l.mu.Lock()
	l.bars = bars
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.bars = nil
		l.mu.Unlock()
	}
}

// loadConfig reads the config named by --config.
func (a *app) loadConfig() (*configs.Config, error) {
	return configs.Load(a.configPath, a.env)
}

// printJSON sets the command's JSON document (or, inside revops run, the
// current stage's part of it). Nothing is printed here: run prints one
// document when the command ends, with its error if it failed.
func (a *app) printJSON(v map[string]any) {
	if a.section != "" {
		if a.doc == nil {
			a.doc = map[string]any{}
		}
		a.doc[a.section] = v
		return
	}
	a.doc = v
}

// say prints a line for people (not in --json or --quiet mode).
func (a *app) say(format string, args ...any) {
	if a.json || a.quiet {
		return
	}
	fmt.Fprintf(a.stdout, format+"\n", args...)
}

// errorJSON renders an error for --json output, with the config position when there is one.
func errorJSON(err error) map[string]any {
	out := map[string]any{"message": err.Error()}
	var ce *configs.Error
	if errors.As(err, &ce) {
		out["file"], out["line"], out["column"], out["key"] = ce.File, ce.Line, ce.Column, ce.Key
		out["reason"] = ce.Msg
	}
	return out
}

// maxWidth is the widest line a table prints: tables fit a
// 100-column terminal.
const maxWidth = 100

// table prints rows aligned under a header, within maxWidth columns: when
// the natural widths are wider, the widest columns are shortened (their
// cells end with "…") until the table fits; --json has every value whole.
func table(w io.Writer, header []string, rows [][]string) {
	// A last column with nothing in it (no errors) is left out.
	for len(header) > 1 {
		last, empty := len(header)-1, true
		for _, r := range rows {
			if len(r) > last && r[last] != "" {
				empty = false
				break
			}
		}
		if !empty {
			break
		}
		header = header[:last]
	}
	widths := fitWidths(header, rows, maxWidth)
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			if i >= len(widths) {
				break
			}
			if i > 0 {
				b.WriteString("  ")
			}
			c = clip(c, widths[i])
			if i == len(cells)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(c)
				b.WriteString(strings.Repeat(" ", widths[i]-runeLen(c)))
			}
		}
		fmt.Fprintln(w, clip(strings.TrimRight(b.String(), " "), maxWidth))
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// wrap prints a line for people within maxWidth columns: a longer one is
// broken at spaces, its continuation lines indented by indent.
func wrap(w io.Writer, line, indent string) {
	for runeLen(line) > maxWidth {
		r := []rune(line)
		cut := -1
		for i := maxWidth; i > runeLen(indent); i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		if cut < 0 {
			break // one word wider than the line: printed whole
		}
		fmt.Fprintln(w, string(r[:cut]))
		line = indent + strings.TrimLeft(string(r[cut:]), " ")
	}
	fmt.Fprintln(w, line)
}

// fitWidths returns each column's width: its widest cell, or less when
// the line would be wider than limit. The widest column gives up
// characters first, down to a floor (its header, at most 12, at least 9),
// so that short columns of counts stay whole.
func fitWidths(header []string, rows [][]string, limit int) []int {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = runeLen(h)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) && runeLen(c) > widths[i] {
				widths[i] = runeLen(c)
			}
		}
	}
	floor := make([]int, len(header))
	for i, h := range header {
		floor[i] = min(max(runeLen(h), 9), 12, widths[i])
	}
	// The first column names the row (a run id, a model): kept whole
	// up to a run id's 25 characters.
	floor[0] = min(widths[0], 25)
	total := func() int {
		n := 2 * (len(widths) - 1)
		for _, x := range widths {
			n += x
		}
		return n
	}
	for total() > limit {
		// Shorten the column with the most room above its floor.
		best, room := -1, 0
		for i := range widths {
			if r := widths[i] - floor[i]; r > room {
				best, room = i, r
			}
		}
		if best < 0 {
			break // every column is at its floor: the line is clipped
		}
		widths[best]--
	}
	return widths
}
