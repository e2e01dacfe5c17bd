package models

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/revops/revops/load"
)

// Kind of a project node: a model's materialization, or seed.
const KindSeed load.ModelKind = "seed"

// Model is one node of the project: a SQL model or a seed.
type Model struct {
	// Name is the file name without its extension ("deals").
	Name string `json:"name"`
	// Relation is <folder>.<file name> ("core.deals").
	Relation string `json:"relation"`
	// Path is the file, "sql/..." or "configs/seeds/..." for shipped ones.
	Path string         `json:"path"`
	Kind load.ModelKind `json:"kind"`
	// UniqueKey holds an incremental model's merge key.
	UniqueKey []string `json:"unique_key,omitempty"`
	// Transform names the Go function a transform model's rows pass
	// through (see Project.RegisterTransform).
	Transform string   `json:"transform,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	// Deps lists the relations this model refs, sorted.
	Deps []string `json:"deps"`
	// Sources lists the landed tables it reads ("salesforce.lead"), sorted.
	Sources []string `json:"sources,omitempty"`
	// Tests are the data tests its header declares.
	Tests []string `json:"tests,omitempty"`
	// Replaces is the shipped file this user model replaces, if any.
	Replaces string `json:"replaces,omitempty"`
	// Error is set when the model is broken ("file:line: message"): its
	// header, template, refs or seed rows are wrong, or it is part of a
	// dependency cycle. A build reports it failed and skips what uses it.
	Error string `json:"error,omitempty"`

	schema string
	rel    string // path relative to its root
	src    string
	header *header
	tmpl   *template.Template
	seed   *seed
	tests  []*dataTest
	refs   map[string]string // dep relation -> name as written in the ref
	order  int               // position in topological order
	err    *Error            // why the model is broken
	// inCycle: the model is in a dependency cycle; its Deps are not
	// edges of the build order.
	inCycle bool
}

// Override says that a user model replaced a shipped one.
type Override struct {
	Relation string `json:"relation"`
	Path     string `json:"path"`
	Replaced string `json:"replaced"`
}

// Project is a loaded set of models, seeds and tests, planned into a DAG.
type Project struct {
	vars       map[string]string
	transforms map[string]Transform
	models     []*Model          // in topological order
	byRel      map[string]*Model // by relation
	byName     map[string][]*Model
	custom     []*customTest // tests/*.sql
	loose      []*Error      // files that are no model or test
	Overrides  []Override
}

type file struct {
	root    int // 0 shipped models, 1 shipped seeds, 2+ user paths
	display string
	rel     string // relative to its root, slash-separated
	read    func() ([]byte, error)
}

// Load reads the shipped models (an fs.FS whose folders are schemas:
// staging/, core/, metrics/, tests/), the shipped seeds (CSV files at any
// depth), then every user path (a directory of folders of models, with
// optional seeds/ and tests/), and plans the DAG. vars are the values of
// {{ var }}.
//
// A problem in one file stays with that file: a model whose header,
// template, refs or seed rows are wrong is kept in the project as broken
// (Model.Error; a build reports it failed and skips what depends on it),
// and so is a custom test (its run reports the error); a file that is no
// model at all (outside a folder, a name that is no relation) is left
// out. Problems lists them all, each naming its file and line. The error
// is only for what stops the whole project from loading: a model path
// that is missing or not a directory, a file that cannot be read.
func Load(shipped, seeds fs.FS, userPaths []string, vars map[string]string) (*Project, error) {
	var files []file
	var errs []error
	walk := func(root int, fsys fs.FS, prefix string) {
		if fsys == nil {
			return
		}
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || (!strings.HasSuffix(p, ".sql") && !strings.HasSuffix(p, ".csv")) {
				return nil
			}
			files = append(files, file{root: root, display: prefix + p, rel: p,
				read: func() ([]byte, error) { return fs.ReadFile(fsys, p) }})
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("models: read %s: %w", prefix, err))
		}
	}
	walk(0, shipped, "sql/")
	seedPrefix := "configs/"
	if seeds != nil {
		if _, err := fs.Stat(seeds, "seeds"); err != nil {
			seedPrefix = "configs/seeds/"
		}
	}
	walk(1, seeds, seedPrefix)
	for i, up := range userPaths {
		st, err := os.Stat(up)
		if err != nil {
			errs = append(errs, fmt.Errorf("models: model path %s: %w", up, err))
			continue
		}
		if !st.IsDir() {
			errs = append(errs, fmt.Errorf("models: model path %s is not a directory", up))
			continue
		}
		walk(2+i, os.DirFS(up), filepath.ToSlash(filepath.Clean(up))+"/")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p := &Project{vars: vars, byRel: map[string]*Model{}, byName: map[string][]*Model{}}
	customs := map[string]*customTest{}
	for _, f := range files {
		if err := p.add(f, customs); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, m := range p.byRel {
		p.byName[m.Name] = append(p.byName[m.Name], m)
	}
	for _, ms := range p.byName {
		sort.Slice(ms, func(i, j int) bool { return ms[i].Relation < ms[j].Relation })
	}
	for _, c := range customs {
		p.custom = append(p.custom, c)
	}
	sort.Slice(p.custom, func(i, j int) bool { return p.custom[i].name < p.custom[j].name })
	p.plan()
	return p, nil
}

// asError makes err a positioned *Error of file (when it is not one).
func asError(file string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{File: file, Msg: err.Error()}
}

// broken marks m as broken by err, keeping the first error it got.
func (m *Model) broken(err error) {
	if m.err == nil {
		m.err = asError(m.Path, err)
		m.Error = m.err.Error()
	}
}

// add parses one file into the project. Its error is for a file that
// cannot be read; problems in the file are kept with the model or test
// (or in p.loose when the file is no model at all).
func (p *Project) add(f file, customs map[string]*customTest) error {
	dir, base := path.Split(f.rel)
	folder := path.Base(strings.TrimSuffix(dir, "/"))
	ext := path.Ext(base)
	name := strings.TrimSuffix(base, ext)
	if dir == "" {
		if ext == ".csv" && f.root == 1 {
			folder = "seeds"
		} else {
			p.loose = append(p.loose, &Error{File: f.display, Msg: "a model must sit in a folder, its schema (e.g. core/" + base + "); the file is not used"})
			return nil
		}
	}
	if ext == ".csv" && folder != "seeds" && f.root != 1 {
		return nil // data files elsewhere are not the engine's
	}
	if ext == ".csv" {
		folder = "seeds"
	}
	if !identRE.MatchString(folder) || !identRE.MatchString(name) {
		p.loose = append(p.loose, &Error{File: f.display, Msg: fmt.Sprintf("%s.%s is not a plain relation name (letters, digits, _); the file is not used", folder, name)})
		return nil
	}
	data, err := f.read()
	if err != nil {
		return fmt.Errorf("models: read %s: %w", f.display, err)
	}
	src := string(data)
	relation := folder + "." + name
	if folder == "tests" {
		if ext != ".sql" {
			return nil
		}
		c := parseCustomTest(f.display, name, src)
		c.root = f.root
		if prev, ok := customs[c.name]; ok && prev.root >= 2 && f.root >= 2 {
			prev.broken(errAt(f.display, 0, "test %s is also defined in %s (two user model paths define it)", c.name, prev.path))
			return nil
		}
		customs[c.name] = c
		return nil
	}
	m := &Model{Name: name, Relation: relation, Path: f.display, schema: folder, rel: f.rel, src: src}
	if ext == ".csv" {
		m.Kind = KindSeed
		if m.seed, err = parseSeed(f.display, data); err != nil {
			m.broken(err)
		}
	} else {
		m.parse()
	}
	if prev, ok := p.byRel[relation]; ok {
		if f.root < 2 || prev.Path == f.display {
			prev.broken(errAt(f.display, 0, "%s is also defined in %s", relation, prev.Path))
			return nil
		}
		if prevRoot := rootOf(prev); prevRoot >= 2 {
			prev.broken(errAt(f.display, 0, "%s is also defined in %s (two user model paths define it)", relation, prev.Path))
			return nil
		}
		m.Replaces = prev.Path
		p.Overrides = append(p.Overrides, Override{Relation: relation, Path: f.display, Replaced: prev.Path})
	}
	p.byRel[relation] = m
	return nil
}

func rootOf(m *Model) int {
	switch {
	case strings.HasPrefix(m.Path, "sql/"):
		return 0
	case strings.HasPrefix(m.Path, "configs/"):
		return 1
	}
	return 2
}

// parse reads a model's header and template; a problem marks m broken.
func (m *Model) parse() {
	m.Kind = load.ModelTable
	if m.schema == "staging" {
		m.Kind = load.ModelView
	}
	h, err := parseHeader(m.Path, m.src)
	if err != nil {
		m.broken(err)
		return
	}
	m.header = h
	if h.kind != "" {
		m.Kind = h.kind
	}
	m.UniqueKey, m.Tags, m.Transform = h.uniqueKey, h.tags, h.transform
	switch {
	case m.Kind == KindTransform && h.transform == "":
		m.broken(errAt(m.Path, h.kindLine, "config: materialized=transform needs a transform (`transform=<name>`, a function the program registers)"))
		return
	case m.Kind != KindTransform && h.transform != "":
		m.broken(errAt(m.Path, h.transLine, "config: transform=%s is for materialized=transform models", h.transform))
		return
	case m.Kind == load.ModelIncremental && len(h.uniqueKey) == 0:
		m.broken(errAt(m.Path, h.kindLine, "config: materialized=incremental needs a unique_key (the columns rows are merged on)"))
		return
	case h.severity != "":
		m.broken(errAt(m.Path, h.severityLine, "config: severity is for tests: put it on a test line (`-- test: not_null x; severity=warn`)"))
		return
	}
	if m.tmpl, err = parseTemplate(m.Path, m.src, h.lines); err != nil {
		m.broken(err)
	}
}

// Models returns the project's models and seeds in build order.
func (p *Project) Models() []*Model { return p.models }

// Model returns the model named name: a relation ("core.deals") or a file
// name when only one model has it ("deals").
func (p *Project) Model(name string) (*Model, error) { return p.resolve(name) }

func (p *Project) resolve(name string) (*Model, error) {
	if m, ok := p.byRel[name]; ok {
		return m, nil
	}
	if strings.Contains(name, ".") {
		return nil, fmt.Errorf("no model %s", name)
	}
	switch ms := p.byName[name]; len(ms) {
	case 0:
		return nil, fmt.Errorf("no model named %s", name)
	case 1:
		return ms[0], nil
	default:
		var c []string
		for _, m := range ms {
			c = append(c, m.Relation)
		}
		return nil, fmt.Errorf("%s is ambiguous: %s (use the full name)", name, strings.Join(c, ", "))
	}
}

// Problems returns every problem found in the project's files, sorted by
// file and line: broken models (also in their Model.Error), custom tests
// and declared tests that cannot run, and files that are no model at
// all. Empty when every file is sound.
func (p *Project) Problems() []*Error {
	var out []*Error
	for _, m := range p.byRel {
		if m.err != nil {
			out = append(out, m.err)
		}
		for _, t := range m.tests {
			if t.err != nil {
				out = append(out, t.err)
			}
		}
	}
	for _, c := range p.custom {
		if c.err != nil {
			out = append(out, c.err)
		}
	}
	out = append(out, p.loose...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Msg < out[j].Msg
	})
	return out
}

// edges are the relations m waits for in the build order: its Deps,
// none when it is in a dependency cycle (it fails without running).
func (m *Model) edges() []string {
	if m.inCycle {
		return nil
	}
	return m.Deps
}
