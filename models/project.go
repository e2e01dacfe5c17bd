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
	Tags      []string `json:"tags,omitempty"`
	// Deps lists the relations this model refs, sorted.
	Deps []string `json:"deps"`
	// Sources lists the landed tables it reads ("salesforce.lead"), sorted.
	Sources []string `json:"sources,omitempty"`
	// Tests are the data tests its header declares.
	Tests []string `json:"tests,omitempty"`
	// Replaces is the shipped file this user model replaces, if any.
	Replaces string `json:"replaces,omitempty"`

	schema string
	rel    string // path relative to its root
	src    string
	header *header
	tmpl   *template.Template
	seed   *seed
	tests  []*dataTest
	refs   map[string]string // dep relation -> name as written in the ref
	order  int               // position in topological order
}

// Override says that a user model replaced a shipped one.
type Override struct {
	Relation string `json:"relation"`
	Path     string `json:"path"`
	Replaced string `json:"replaced"`
}

// Project is a loaded set of models, seeds and tests, planned into a DAG.
type Project struct {
	vars      map[string]string
	models    []*Model          // in topological order
	byRel     map[string]*Model // by relation
	byName    map[string][]*Model
	custom    []*customTest // tests/*.sql
	Overrides []Override
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
// {{ var }}. Every problem found is returned, each naming its file and
// line.
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
	if err := p.plan(); err != nil {
		return nil, err
	}
	return p, nil
}

// add parses one file into the project.
func (p *Project) add(f file, customs map[string]*customTest) error {
	dir, base := path.Split(f.rel)
	folder := path.Base(strings.TrimSuffix(dir, "/"))
	ext := path.Ext(base)
	name := strings.TrimSuffix(base, ext)
	if dir == "" {
		if ext == ".csv" && f.root == 1 {
			folder = "seeds"
		} else {
			return &Error{File: f.display, Msg: "a model must sit in a folder, its schema (e.g. core/" + base + ")"}
		}
	}
	if ext == ".csv" && folder != "seeds" && f.root != 1 {
		return nil // data files elsewhere are not the engine's
	}
	if ext == ".csv" {
		folder = "seeds"
	}
	if !identRE.MatchString(folder) || !identRE.MatchString(name) {
		return &Error{File: f.display, Msg: fmt.Sprintf("%s.%s is not a plain relation name (letters, digits, _)", folder, name)}
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
		c, err := parseCustomTest(f.display, name, src)
		if err != nil {
			return err
		}
		if prev, ok := customs[c.name]; ok && prev.root >= 2 && f.root >= 2 {
			return &Error{File: f.display, Msg: fmt.Sprintf("test %s is also defined in %s", c.name, prev.path)}
		}
		c.root = f.root
		customs[c.name] = c
		return nil
	}
	m := &Model{Name: name, Relation: relation, Path: f.display, schema: folder, rel: f.rel, src: src}
	if ext == ".csv" {
		m.Kind = KindSeed
		if m.seed, err = parseSeed(f.display, data); err != nil {
			return err
		}
	} else if err := m.parse(); err != nil {
		return err
	}
	if prev, ok := p.byRel[relation]; ok {
		if f.root < 2 || prev.Path == f.display {
			return &Error{File: f.display, Msg: fmt.Sprintf("%s is also defined in %s", relation, prev.Path)}
		}
		if prevRoot := rootOf(prev); prevRoot >= 2 {
			return &Error{File: f.display, Msg: fmt.Sprintf("%s is also defined in %s (two user model paths define it)", relation, prev.Path)}
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

// parse reads a model's header and template.
func (m *Model) parse() error {
	h, err := parseHeader(m.Path, m.src)
	if err != nil {
		return err
	}
	m.header = h
	m.Kind = load.ModelTable
	if m.schema == "staging" {
		m.Kind = load.ModelView
	}
	if h.kind != "" {
		m.Kind = h.kind
	}
	if m.Kind == load.ModelIncremental && len(h.uniqueKey) == 0 {
		return errAt(m.Path, h.kindLine, "config: materialized=incremental needs a unique_key (the columns rows are merged on)")
	}
	m.UniqueKey, m.Tags = h.uniqueKey, h.tags
	m.tmpl, err = parseTemplate(m.Path, m.src, h.lines)
	return err
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
