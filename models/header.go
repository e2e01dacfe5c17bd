package models

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/revops/revops/load"
)

// Error is a problem in a project file, with its position.
type Error struct {
	File string
	Line int // 0 when the whole file is at fault
	Msg  string
}

// Error returns "file:line: message".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

func errAt(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Test kinds declared in a header.
const (
	TestUnique         = "unique"
	TestNotNull        = "not_null"
	TestAcceptedValues = "accepted_values"
	TestRelationships  = "relationships"
	TestCustom         = "custom"
)

// Severities of a data test: what its failure means.
const (
	// SeverityError (the default): a failure fails the build or test run
	// (exit 1) and blocks what reads the tested model (Result.Blocked).
	SeverityError = "error"
	// SeverityWarn: a failure is reported as a warning (status warn) and
	// blocks nothing; for the quality of data people enter in the CRMs.
	SeverityWarn = "warn"
)

// testDecl is one `-- test:` line.
type testDecl struct {
	kind     string
	columns  []string
	values   []string // accepted_values
	target   string   // relationships: the model, as written
	tcol     string   // relationships: the column in target
	severity string   // SeverityError or SeverityWarn
	line     int
}

// header is what a file's leading comment lines declare.
type header struct {
	kind      load.ModelKind // "" when not set
	kindLine  int
	transform string // materialized=transform: the registered transform's name
	transLine int
	uniqueKey []string
	tags      []string
	// severity is a custom test's `config: severity=...` ("" when not set).
	severity     string
	severityLine int
	tests        []testDecl
	// lines is the number of leading lines the header spans (blank and
	// comment lines before the first SQL line).
	lines int
}

var (
	identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	tagRE   = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
)

// parseHeader reads the header of a model or test file.
func parseHeader(file, src string) (*header, error) {
	h := &header{}
	seen := map[string]int{}
	lines := strings.Split(src, "\n")
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" {
			h.lines = n
			continue
		}
		if !strings.HasPrefix(line, "--") {
			break
		}
		h.lines = n
		rest := strings.TrimSpace(strings.TrimPrefix(line, "--"))
		switch {
		case strings.HasPrefix(rest, "config:"):
			if err := h.parseConfig(file, n, strings.TrimPrefix(rest, "config:"), seen); err != nil {
				return nil, err
			}
		case strings.HasPrefix(rest, "test:"):
			t, err := parseTest(file, n, strings.TrimSpace(strings.TrimPrefix(rest, "test:")))
			if err != nil {
				return nil, err
			}
			h.tests = append(h.tests, t)
		}
	}
	return h, nil
}

func (h *header) parseConfig(file string, n int, s string, seen map[string]int) error {
	if strings.TrimSpace(s) == "" {
		return errAt(file, n, "config: nothing after `config:` (want key=value; key=value)")
	}
	for _, pair := range strings.Split(s, ";") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return errAt(file, n, "config: %q is not key=value", pair)
		}
		if prev, dup := seen[k]; dup {
			return errAt(file, n, "config: %s is set twice (also on line %d)", k, prev)
		}
		seen[k] = n
		switch k {
		case "materialized":
			switch load.ModelKind(v) {
			case load.ModelView, load.ModelTable, load.ModelIncremental, KindTransform:
				h.kind, h.kindLine = load.ModelKind(v), n
			default:
				return errAt(file, n, "config: materialized=%q (want view, table, incremental or transform)", v)
			}
		case "transform":
			if !identRE.MatchString(v) {
				return errAt(file, n, "config: transform=%q is not a transform name (letters, digits, _)", v)
			}
			h.transform, h.transLine = v, n
		case "unique_key":
			cols, err := identList(v)
			if err != nil {
				return errAt(file, n, "config: unique_key: %v", err)
			}
			h.uniqueKey = cols
		case "tags":
			tags, err := list(v, tagRE, "tag")
			if err != nil {
				return errAt(file, n, "config: tags: %v", err)
			}
			h.tags = tags
		case "severity":
			sev, err := parseSeverity(v)
			if err != nil {
				return errAt(file, n, "config: %v", err)
			}
			h.severity, h.severityLine = sev, n
		default:
			return errAt(file, n, "config: unknown key %q (want materialized, unique_key, transform, tags, or severity in a test file)", k)
		}
	}
	return nil
}

func identList(s string) ([]string, error) { return list(s, identRE, "column") }

// list splits a comma list whose items must match re.
func list(s string, re *regexp.Regexp, what string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("empty %s in %q", what, s)
		}
		if !re.MatchString(item) {
			return nil, fmt.Errorf("%q is not a valid %s name", item, what)
		}
		out = append(out, item)
	}
	return out, nil
}

func parseSeverity(v string) (string, error) {
	switch v {
	case SeverityError, SeverityWarn:
		return v, nil
	}
	return "", fmt.Errorf("severity=%q (want error or warn)", v)
}

// parseTest reads what follows `test:`: the test, then options after a
// semicolon, as in config lines (`not_null status; severity=warn`).
func parseTest(file string, n int, s string) (testDecl, error) {
	t := testDecl{line: n, severity: SeverityError}
	s, opts, hasOpts := strings.Cut(s, ";")
	s = strings.TrimSpace(s)
	if hasOpts {
		seen := false
		for _, pair := range strings.Split(opts, ";") {
			pair = strings.TrimSpace(pair)
			if pair == "" {
				continue
			}
			k, v, ok := strings.Cut(pair, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case !ok || k == "":
				return t, errAt(file, n, "test: option %q is not key=value (want `; severity=warn`)", pair)
			case k != "severity":
				return t, errAt(file, n, "test: unknown option %q (want severity)", k)
			case seen:
				return t, errAt(file, n, "test: severity is set twice")
			}
			sev, err := parseSeverity(v)
			if err != nil {
				return t, errAt(file, n, "test: %v", err)
			}
			t.severity, seen = sev, true
		}
		if !seen {
			return t, errAt(file, n, "test: nothing after `;` (want `; severity=warn` or `; severity=error`)")
		}
	}
	kind, rest, _ := strings.Cut(s, " ")
	t.kind, rest = strings.TrimSpace(kind), strings.TrimSpace(rest)
	var err error
	switch t.kind {
	case TestUnique, TestNotNull:
		if rest == "" {
			return t, errAt(file, n, "test: %s needs columns (e.g. `-- test: %s id`)", t.kind, t.kind)
		}
		if t.columns, err = identList(rest); err != nil {
			return t, errAt(file, n, "test: %s: %v", t.kind, err)
		}
	case TestAcceptedValues:
		col, vals, ok := strings.Cut(rest, ":")
		col = strings.TrimSpace(col)
		if !ok || !identRE.MatchString(col) {
			return t, errAt(file, n, "test: accepted_values: want `accepted_values column: a,b,c`, got %q", rest)
		}
		t.columns = []string{col}
		for _, v := range strings.Split(vals, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				return t, errAt(file, n, "test: accepted_values %s: empty value in %q", col, strings.TrimSpace(vals))
			}
			t.values = append(t.values, v)
		}
	case TestRelationships:
		col, target, ok := strings.Cut(rest, "->")
		col, target = strings.TrimSpace(col), strings.TrimSpace(target)
		dot := strings.LastIndex(target, ".")
		if !ok || !identRE.MatchString(col) || dot <= 0 {
			return t, errAt(file, n, "test: relationships: want `relationships column -> model.column`, got %q", rest)
		}
		t.columns = []string{col}
		t.target, t.tcol = target[:dot], target[dot+1:]
		if !identRE.MatchString(t.tcol) {
			return t, errAt(file, n, "test: relationships: %q is not a column name", t.tcol)
		}
		for _, part := range strings.Split(t.target, ".") {
			if !identRE.MatchString(part) {
				return t, errAt(file, n, "test: relationships: %q is not a model name", t.target)
			}
		}
	case "":
		return t, errAt(file, n, "test: missing test name (want unique, not_null, accepted_values or relationships)")
	default:
		return t, errAt(file, n, "test: unknown test %q (want unique, not_null, accepted_values or relationships)", t.kind)
	}
	return t, nil
}
