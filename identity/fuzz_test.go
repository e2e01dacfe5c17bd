package identity

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/revops/revops/configs"
)

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("id,first,last,mail\na,Ann,Lee,ann@x.com\nb,Bob,Lee,\n"), "first_name=first,last_name=last,email=mail", "id")
	f.Add([]byte("id,first\na,Ann\nb\n"), "first_name=first", "id")
	f.Add([]byte("id,\"a,b\"\n1,\"x\ny\"\n"), `company="a,b"`, "id")
	f.Add([]byte("\xef\xbb\xbfid,n\n1,J\xffrg\n1,x\n"), "full_name=n+n,source=id", "id")
	f.Add([]byte(""), "shoe=x", "")
	f.Fuzz(func(t *testing.T, data []byte, mapping, idCol string) {
		m, err := ParseRoleMap(mapping)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--map: ") {
				t.Fatalf("role map error without its flag: %v", err)
			}
			return
		}
		for role, cols := range m {
			if len(cols) == 0 || !contains(CSVRoles(), role) {
				t.Fatalf("role %q maps %q", role, cols)
			}
		}
		d, err := ReadCSV(bytes.NewReader(data), "f.csv", idCol, m, "extra")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for i, id := range d.IDs {
			if id == "" || seen[id] {
				t.Fatalf("id %q (empty or repeated) at %d", id, i)
			}
			seen[id] = true
		}
		for role, vals := range d.Values {
			if len(vals) != len(d.IDs) {
				t.Fatalf("role %s has %d values for %d records", role, len(vals), len(d.IDs))
			}
		}
		r, err := d.Records("csv")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r.Next() {
			n += int(r.RecordBatch().NumRows())
		}
		r.Release()
		if n != len(d.IDs) {
			t.Fatalf("%d rows for %d records", n, len(d.IDs))
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func FuzzDecodeOptions(f *testing.F) {
	f.Add([]byte("matching:\n  link_threshold: 0.95\n  person:\n    blocking:\n      - {name: e, fields: [email]}\n"))
	f.Add([]byte("matching:\n  person:\n    deterministic: []\n    weights: {first_name: {exact: 6}}\n    ignore: [gender]\n"))
	f.Add([]byte("matching:\n  company:\n    blocking: [{fields: [name_token, name_token]}]\n  default_region: gb\n"))
	f.Add([]byte("matching: {review_threshold: 2, max_block_size: 1, generic_mailboxes: [info]}\n"))
	f.Add([]byte("survivorship: {persons: {email: {rule: most_recent}}}\n"))
	f.Fuzz(func(t *testing.T, section []byte) {
		var b strings.Builder
		b.WriteString("version: 1\nwarehouse:\n  type: duckdb\n  path: x.duckdb\nidentity:\n")
		for _, line := range strings.Split(string(section), "\n") {
			b.WriteString("  " + line + "\n")
		}
		cfg, err := configs.Parse("fuzz.yaml", []byte(b.String()), func(string) (string, bool) { return "", false })
		if err != nil {
			return // not YAML the config accepts: the configs fuzzer's business
		}
		o, err := Decode(cfg.Identity.Decode)
		if err != nil {
			var ce *configs.Error
			if errors.Is(err, ErrUndecodable) {
				return // the YAML decoder panicked (recovered)
			}
			if !errors.As(err, &ce) || ce.File != "fuzz.yaml" {
				t.Fatalf("error %v (%T) has no position in the config", err, err)
			}
			return
		}
		m := o.Matching
		if m.LinkThreshold <= 0 || m.LinkThreshold >= 1 || m.ReviewThreshold > m.LinkThreshold || m.MaxBlockSize < 2 {
			t.Fatalf("accepted %+v", m)
		}
		for _, k := range []Kind{KindPerson, KindCompany} {
			for _, r := range m.ruleSet(k).rules {
				for _, f := range r.Fields {
					if _, ok := fields[f]; !ok {
						t.Fatalf("accepted a rule on unknown field %q", f)
					}
				}
			}
		}
		if vars := o.Vars(); vars["identity_link_threshold"] == "" {
			t.Fatal("no vars")
		}
	})
}
