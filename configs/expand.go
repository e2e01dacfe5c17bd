package configs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
)

// preparer rewrites the parsed tree before decoding: it expands
// environment references in string values and replaces `<key>_file`
// entries by `<key>` holding the file's contents.
type preparer struct {
	file string
	dir  string
	env  Env
}

func (p *preparer) walk(n ast.Node, path string) error {
	switch n := n.(type) {
	case *ast.MappingNode:
		keys := map[string]bool{}
		for _, kv := range n.Values {
			keys[keyName(kv)] = true
		}
		for _, kv := range n.Values {
			if err := p.entry(kv, path, keys); err != nil {
				return err
			}
		}
	case *ast.MappingValueNode:
		return p.entry(n, path, map[string]bool{keyName(n): true})
	case *ast.SequenceNode:
		for i, v := range n.Values {
			if err := p.walk(v, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case *ast.StringNode:
		s, err := p.expand(n.Value)
		if err != nil {
			return errAt(p.file, n, path, err.Error())
		}
		n.Value = s
	case *ast.LiteralNode:
		if n.Value != nil {
			s, err := p.expand(n.Value.Value)
			if err != nil {
				return errAt(p.file, n, path, err.Error())
			}
			n.Value.Value = s
		}
	case *ast.TagNode:
		return p.walk(n.Value, path)
	}
	return nil
}

func (p *preparer) entry(kv *ast.MappingValueNode, path string, siblings map[string]bool) error {
	key := keyName(kv)
	kpath := join(path, key)
	if base, ok := strings.CutSuffix(key, "_file"); ok && base != "" {
		if siblings[base] {
			return errAt(p.file, kv.Key, kpath, fmt.Sprintf("set either %s or %s, not both", base, key))
		}
		sn, ok := kv.Value.(*ast.StringNode)
		if !ok {
			return errAt(p.file, kv.Value, kpath, "want a file path")
		}
		name, err := p.expand(sn.Value)
		if err != nil {
			return errAt(p.file, sn, kpath, err.Error())
		}
		if name == "" {
			return errAt(p.file, sn, kpath, "empty file path")
		}
		if !filepath.IsAbs(name) {
			name = filepath.Join(p.dir, name)
		}
		data, err := os.ReadFile(name)
		if err != nil {
			// The path may be shown; the contents never are.
			return errAt(p.file, sn, kpath, fmt.Sprintf("read secret file: %v", err))
		}
		if !utf8.Valid(data) {
			return errAt(p.file, sn, kpath, fmt.Sprintf("the file %s is not UTF-8 text", name))
		}
		sn.Value = strings.TrimRight(string(data), "\r\n")
		if ks, ok := kv.Key.(*ast.StringNode); ok {
			ks.Value = base
		}
		kv.Key.GetToken().Value = base
		return nil
	}
	return p.walk(kv.Value, kpath)
}

// expand replaces ${VAR} and ${VAR:-default}; $$ stands for a literal $.
// An unset variable without a default is an error naming it.
func (p *preparer) expand(s string) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '{':
		default:
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", fmt.Errorf("unclosed ${ in %q", s)
		}
		ref := s[i+2 : i+2+end]
		name, def, hasDef := strings.Cut(ref, ":-")
		if !validEnvName(name) {
			return "", fmt.Errorf("${%s}: %q is not an environment variable name", ref, name)
		}
		val, ok := p.env(name)
		switch {
		case ok && val != "" && !utf8.ValidString(val):
			return "", fmt.Errorf("environment variable %s is not UTF-8 text", name)
		case ok && val != "":
			b.WriteString(val)
		case hasDef:
			b.WriteString(def)
		case ok:
			// set but empty: keep it empty
		default:
			return "", fmt.Errorf("environment variable %s is not set (use ${%s:-default} for a fallback)", name, name)
		}
		i += 2 + end
	}
	return b.String(), nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}
