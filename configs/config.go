// Package configs reads revops.yaml: strictly (unknown keys, wrong types
// and missing keys are errors naming file, line and key), with ${VAR} and
// ${VAR:-default} expanded from the environment and `<key>_file` keys
// replaced by the contents of the file they name (for secrets).
//
// The package knows the file's frame (version, warehouse, sources,
// models, syncs, links) but not what each connector takes: every connector gets
// its own sub-tree as a Node and decodes it into its own Options type.
package configs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// DefaultPath is where revops looks for its config when neither --config
// nor $REVOPS_CONFIG says otherwise.
const DefaultPath = "revops.yaml"

// Version is the config format this revops reads.
const Version = 1

// Config is a decoded revops.yaml.
type Config struct {
	// Path is the file the config came from; relative paths inside the
	// config are resolved against its directory.
	Path      string
	Version   int
	Warehouse Warehouse
	Sources   []Source
	Models    Models
	Syncs     []Sync
	// Links are the entries of `links:` (two-way links, decoded by
	// sync/link), in the config's order.
	Links []Link
	// Identity is the `identity:` section (matching rules, thresholds,
	// weights, survivorship), decoded by the identity stage; a Node with
	// no value when the config has none.
	Identity Node
	// Alerts is the `alerts:` section (a webhook told of failed, slow or
	// row-failing runs), decoded by package alert; a Node with no value
	// when the config has none.
	Alerts Node
}

// Warehouse is the `warehouse:` section: a type and that engine's options.
type Warehouse struct {
	Type    string
	Options Node // the section without its type key
}

// Source is one entry of `sources:`.
type Source struct {
	// Name is the source's name; it is also the warehouse schema its
	// objects land in, so it must be a plain identifier.
	Name    string
	Type    string
	Enabled bool
	Options Node // the entry without name, type and enabled
}

// Models is the `models:` section.
type Models struct {
	// Paths are directories of the user's own .sql models, added to the
	// shipped ones.
	Paths []string `yaml:"paths"`
	// Vars are values the model templates can read with {{ var "name" }}.
	Vars map[string]string `yaml:"vars"`
}

// Sync is one entry of `syncs:`: a name and its spec, decoded by the sync stage.
type Sync struct {
	Name string
	Spec Node // the entry without its name
}

// Link is one entry of `links:`: a name and its spec, decoded by the
// link engine (sync/link).
type Link struct {
	Name string
	Spec Node // the entry without its name
}

// Env looks up an environment variable; os.LookupEnv in production.
type Env func(name string) (string, bool)

// Load reads and decodes the config at path.
func Load(path string, env Env) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, env)
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkUTF8 refuses a config that is not UTF-8 (a Latin-1 é, say), naming
// the line and column of the first bad byte: the YAML reader would turn
// it into U+FFFD and revops would write that into a CRM.
func checkUTF8(path string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return &Error{File: path, Line: line, Column: col,
				Msg: fmt.Sprintf("byte 0x%02X is not UTF-8 (is the file in Latin-1 or Windows-1252?); save it as UTF-8", data[i])}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}

// Parse decodes a config held in memory; path names it in errors and
// anchors relative `_file` paths.
func Parse(path string, data []byte, env Env) (*Config, error) {
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	if err := checkUTF8(path, data); err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, fromYAML(path, err)
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, &Error{File: path, Line: 1, Msg: "the file is empty: see `revops init` for a starter config"}
	}
	root := f.Docs[0].Body
	p := &preparer{file: path, dir: filepath.Dir(path), env: env}
	if err := p.walk(root, ""); err != nil {
		return nil, err
	}
	top, err := mapping(path, root, "")
	if err != nil {
		return nil, err
	}
	cfg := &Config{Path: path}
	seen := map[string]bool{}
	for _, kv := range top.Values {
		key := keyName(kv)
		seen[key] = true
		n := Node{file: path, path: key, node: kv.Value, at: kv.Key}
		switch key {
		case "version":
			if err := n.Decode(&cfg.Version); err != nil {
				return nil, err
			}
			if cfg.Version != Version {
				return nil, n.Errorf("", "version %d is not supported (this revops reads version %d)", cfg.Version, Version)
			}
		case "warehouse":
			m, err := mapping(path, kv.Value, key)
			if err != nil {
				return nil, err
			}
			common, rest := split(m, "type")
			cfg.Warehouse.Options = Node{file: path, path: key, node: rest, at: kv.Key}
			if err := decodeString(path, key, common["type"], &cfg.Warehouse.Type); err != nil {
				return nil, err
			}
			if cfg.Warehouse.Type == "" {
				return nil, errAt(path, kv.Key, key+".type", "required (duckdb, bigquery or snowflake)")
			}
		case "sources":
			srcs, err := sequence(path, kv.Value, key)
			if err != nil {
				return nil, err
			}
			names := map[string]bool{}
			for i, item := range srcs {
				ipath := fmt.Sprintf("%s[%d]", key, i)
				m, err := mapping(path, item, ipath)
				if err != nil {
					return nil, err
				}
				common, rest := split(m, "name", "type", "enabled")
				s := Source{Enabled: true, Options: Node{file: path, path: ipath, node: rest, at: item}}
				if err := decodeString(path, ipath+".name", common["name"], &s.Name); err != nil {
					return nil, err
				}
				if err := decodeString(path, ipath+".type", common["type"], &s.Type); err != nil {
					return nil, err
				}
				if e := common["enabled"]; e != nil {
					en := Node{file: path, path: ipath + ".enabled", node: e.Value, at: e.Key}
					if err := en.Decode(&s.Enabled); err != nil {
						return nil, err
					}
				}
				switch {
				case s.Name == "":
					return nil, errAt(path, item, ipath+".name", "required (it names the warehouse schema, e.g. salesforce)")
				case !identRE.MatchString(s.Name):
					return nil, errAt(path, common["name"].Value, ipath+".name", fmt.Sprintf("%q is not a plain identifier (letters, digits, _): it names the warehouse schema", s.Name))
				case names[s.Name]:
					return nil, errAt(path, common["name"].Value, ipath+".name", fmt.Sprintf("source %q is declared twice", s.Name))
				case s.Type == "":
					return nil, errAt(path, item, ipath+".type", "required")
				}
				names[s.Name] = true
				cfg.Sources = append(cfg.Sources, s)
			}
		case "models":
			if err := n.Decode(&cfg.Models); err != nil {
				return nil, err
			}
		case "identity":
			if _, err := mapping(path, kv.Value, key); err != nil {
				return nil, err
			}
			cfg.Identity = n
		case "alerts":
			if _, err := mapping(path, kv.Value, key); err != nil {
				return nil, err
			}
			cfg.Alerts = n
		case "syncs":
			items, err := sequence(path, kv.Value, key)
			if err != nil {
				return nil, err
			}
			names := map[string]bool{}
			for i, item := range items {
				ipath := fmt.Sprintf("%s[%d]", key, i)
				m, err := mapping(path, item, ipath)
				if err != nil {
					return nil, err
				}
				common, rest := split(m, "name")
				s := Sync{Spec: Node{file: path, path: ipath, node: rest, at: item}}
				if err := decodeString(path, ipath+".name", common["name"], &s.Name); err != nil {
					return nil, err
				}
				if s.Name == "" {
					return nil, errAt(path, item, ipath+".name", "required")
				}
				if names[s.Name] {
					return nil, errAt(path, common["name"].Value, ipath+".name", fmt.Sprintf("sync %q is declared twice", s.Name))
				}
				names[s.Name] = true
				cfg.Syncs = append(cfg.Syncs, s)
			}
		case "links":
			items, err := sequence(path, kv.Value, key)
			if err != nil {
				return nil, err
			}
			names := map[string]bool{}
			for i, item := range items {
				ipath := fmt.Sprintf("%s[%d]", key, i)
				m, err := mapping(path, item, ipath)
				if err != nil {
					return nil, err
				}
				common, rest := split(m, "name")
				l := Link{Spec: Node{file: path, path: ipath, node: rest, at: item}}
				if err := decodeString(path, ipath+".name", common["name"], &l.Name); err != nil {
					return nil, err
				}
				switch {
				case l.Name == "":
					return nil, errAt(path, item, ipath+".name", "required")
				case !identRE.MatchString(l.Name):
					return nil, errAt(path, common["name"].Value, ipath+".name", fmt.Sprintf("%q is not a plain identifier (letters, digits, _)", l.Name))
				case names[l.Name]:
					return nil, errAt(path, common["name"].Value, ipath+".name", fmt.Sprintf("link %q is declared twice", l.Name))
				}
				names[l.Name] = true
				cfg.Links = append(cfg.Links, l)
			}
		default:
			return nil, errAt(path, kv.Key, key, "unknown key (want version, warehouse, sources, models, syncs, links, identity or alerts)")
		}
	}
	if !seen["version"] {
		return nil, errAt(path, root, "version", fmt.Sprintf("required (version: %d)", Version))
	}
	if !seen["warehouse"] {
		return nil, errAt(path, root, "warehouse", "required (e.g. warehouse: {type: duckdb, path: revops.duckdb})")
	}
	return cfg, nil
}

// Source returns the source named name.
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

// Resolve makes a path from the config relative to the config's directory.
func (c *Config) Resolve(p string) string {
	if p == "" || p == ":memory:" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(c.Path), p)
}

// Node is a section of the config handed to the code that understands it.
type Node struct {
	file string
	path string // key path, e.g. sources[1]
	node ast.Node
	at   ast.Node // where to point when the section itself is missing something
}

// Path is the key path of the section, e.g. "sources[0]".
func (n Node) Path() string { return n.path }

// IsZero reports whether the section is absent from the config.
func (n Node) IsZero() bool { return n.node == nil }

// Decode decodes the section strictly into v (unknown keys and wrong
// types are errors with file, line and key). When v has a
// `Validate() error` method it is called, and an error of the form
// "key: reason" is reported at that key's line.
func (n Node) Decode(v any) (err error) {
	defer func() {
		// The YAML decoder panics on a few malformed documents (a tag on
		// an empty sequence item): an error at the section, not a crash.
		if p := recover(); p != nil {
			err = n.Errorf("", "cannot be decoded: %v", p)
		}
	}()
	if n.node != nil {
		if err := yaml.NodeToValue(n.node, v, yaml.Strict()); err != nil {
			return fromYAMLAt(n.file, n.path, n.node, err)
		}
	}
	if val, ok := v.(interface{ Validate() error }); ok {
		if err := val.Validate(); err != nil {
			return n.Wrap(err)
		}
	}
	return nil
}

// DecodeKeys decodes the section strictly into v but skips Validate: for
// disabled sections, whose keys and types are checked while required
// values may still be missing.
func (n Node) DecodeKeys(v any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = n.Errorf("", "cannot be decoded: %v", p)
		}
	}()
	if n.node == nil {
		return nil
	}
	if err := yaml.NodeToValue(n.node, v, yaml.Strict()); err != nil {
		return fromYAMLAt(n.file, n.path, n.node, err)
	}
	return nil
}

// Wrap attaches the config position to err: the line of the key it names
// ("key: reason" or "a.b: reason"), else the section's own line.
func (n Node) Wrap(err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	msg := err.Error()
	key, rest, ok := strings.Cut(msg, ": ")
	if ok && keyPathRE.MatchString(key) {
		return n.Errorf(key, "%s", rest)
	}
	return n.Errorf("", "%s", msg)
}

var keyPathRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])?)*$`)

// Errorf returns an error at key (a dotted path below the section; "" for
// the section itself). A key that is absent points at the section.
func (n Node) Errorf(key, format string, args ...any) error {
	full := n.path
	if key != "" {
		if full != "" {
			full += "."
		}
		full += key
	}
	at := n.at
	if key != "" {
		if found := lookup(n.node, key); found != nil {
			at = found
		}
	}
	return errAt(n.file, at, full, fmt.Sprintf(format, args...))
}

// lookup finds the key node of a dotted path below node.
func lookup(node ast.Node, key string) ast.Node {
	parts := strings.Split(key, ".")
	cur := node
	var found ast.Node
	for _, part := range parts {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i > 0 {
			name = part[:i]
			fmt.Sscanf(part[i:], "[%d]", &idx)
		}
		m, ok := cur.(*ast.MappingNode)
		if !ok {
			return found
		}
		var next ast.Node
		for _, kv := range m.Values {
			if keyName(kv) == name {
				found, next = kv.Key, kv.Value
				break
			}
		}
		if next == nil {
			return found
		}
		if idx >= 0 {
			seq, ok := next.(*ast.SequenceNode)
			if !ok || idx >= len(seq.Values) {
				return found
			}
			next = seq.Values[idx]
			found = next
		}
		cur = next
	}
	return found
}

// Error is a problem in a config file, with where it is.
type Error struct {
	File   string
	Line   int
	Column int
	Key    string // dotted key path, e.g. sources[0].client_id
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func errAt(file string, at ast.Node, key, msg string) *Error {
	e := &Error{File: file, Key: key, Msg: msg}
	switch m := at.(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 && m.Values[0].Key != nil {
			at = m.Values[0].Key
		}
	case *ast.MappingValueNode:
		if m.Key != nil {
			at = m.Key
		}
	}
	if at != nil {
		if tk := at.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

// fromYAML converts a go-yaml error into an Error.
func fromYAML(file string, err error) error {
	return fromYAMLAt(file, "", nil, err)
}

var yamlPosRE = regexp.MustCompile(`^\[\d+:\d+\]\s*`)

func fromYAMLAt(file, section string, root ast.Node, err error) error {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return &Error{File: file, Key: section, Msg: err.Error()}
	}
	e := &Error{File: file, Msg: yamlPosRE.ReplaceAllString(ye.GetMessage(), "")}
	tk := ye.GetToken()
	if tk != nil && tk.Position != nil {
		e.Line, e.Column = tk.Position.Line, tk.Position.Column
	}
	e.Key = section
	if root != nil && tk != nil {
		if p, ok := pathOf(root, tk, ""); ok {
			e.Key = join(section, p)
		}
	}
	var ue *yaml.UnknownFieldError
	var te *yaml.TypeError
	var ne *yaml.UnexpectedNodeTypeError
	switch {
	case errors.As(err, &ue):
		e.Msg = "unknown key"
	case errors.As(err, &te):
		e.Msg = fmt.Sprintf("want %s, got %s", kindName(te.DstType.String()), describeToken(tk))
	case errors.As(err, &ne):
		e.Msg = fmt.Sprintf("want %s, got %s", nodeTypeName(ne.Expected), nodeTypeName(ne.Actual))
	case strings.Contains(e.Msg, "was used where sequence is expected"):
		e.Msg = "want a list"
	case strings.Contains(e.Msg, "was used where mapping is expected"):
		e.Msg = "want a mapping of keys to values"
	}
	return e
}

func nodeTypeName(t ast.NodeType) string {
	switch t {
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	case ast.StringType, ast.LiteralType:
		return "a string"
	case ast.IntegerType, ast.FloatType:
		return "a number"
	case ast.BoolType:
		return "a boolean"
	}
	return strings.ToLower(t.String())
}

// pathOf finds the key path below n of the key or value whose token is tk.
func pathOf(n ast.Node, tk *token.Token, prefix string) (string, bool) {
	if n == nil {
		return "", false
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, kv := range n.Values {
			if p, ok := pathOf(kv, tk, prefix); ok {
				return p, true
			}
		}
		return "", false
	case *ast.MappingValueNode:
		kp := join(prefix, keyName(n))
		if n.Key != nil && n.Key.GetToken() == tk {
			return kp, true
		}
		if n.Value != nil && n.Value.GetToken() == tk {
			return kp, true
		}
		return pathOf(n.Value, tk, kp)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			ip := fmt.Sprintf("%s[%d]", prefix, i)
			if v.GetToken() == tk {
				return ip, true
			}
			if p, ok := pathOf(v, tk, ip); ok {
				return p, true
			}
		}
	}
	return "", false
}

func kindName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping"
	case goType == "time.Duration":
		return "a duration such as 30s or 5m"
	}
	return "a " + goType
}

// describeToken names what was found without echoing long values (they may be secrets).
func describeToken(tk *token.Token) string {
	if tk == nil {
		return "something else"
	}
	switch tk.Type {
	case token.MappingStartType, token.MappingValueType:
		return "a mapping"
	case token.SequenceStartType, token.SequenceEntryType:
		return "a list"
	case token.IntegerType, token.FloatType:
		return "a number"
	case token.BoolType:
		return "a boolean"
	case token.NullType:
		return "null"
	}
	return "a string"
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func keyName(kv *ast.MappingValueNode) string {
	if kv.Key == nil {
		return ""
	}
	return kv.Key.GetToken().Value
}

func mapping(file string, n ast.Node, key string) (*ast.MappingNode, error) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m, nil
	case *ast.MappingValueNode:
		return &ast.MappingNode{BaseNode: m.BaseNode, Start: m.GetToken(), Values: []*ast.MappingValueNode{m}}, nil
	}
	return nil, errAt(file, n, key, "want a mapping of keys to values")
}

func sequence(file string, n ast.Node, key string) ([]ast.Node, error) {
	switch s := n.(type) {
	case *ast.SequenceNode:
		return s.Values, nil
	case *ast.NullNode:
		return nil, nil
	}
	return nil, errAt(file, n, key, "want a list")
}

// split takes the named keys out of m, returning them and a mapping of the rest.
func split(m *ast.MappingNode, names ...string) (map[string]*ast.MappingValueNode, *ast.MappingNode) {
	common := map[string]*ast.MappingValueNode{}
	rest := *m
	rest.Values = nil
	for _, kv := range m.Values {
		name := keyName(kv)
		taken := false
		for _, want := range names {
			if name == want {
				common[name] = kv
				taken = true
			}
		}
		if !taken {
			rest.Values = append(rest.Values, kv)
		}
	}
	return common, &rest
}

func decodeString(file, key string, kv *ast.MappingValueNode, dst *string) error {
	if kv == nil {
		return nil
	}
	n := Node{file: file, path: key, node: kv.Value, at: kv.Key}
	if _, ok := kv.Value.(*ast.StringNode); !ok {
		if _, ok := kv.Value.(*ast.LiteralNode); !ok {
			return n.Errorf("", "want a string")
		}
	}
	return n.Decode(dst)
}
