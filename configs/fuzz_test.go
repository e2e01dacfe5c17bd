package configs

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("version: 1\nwarehouse: {type: duckdb, path: ${X:-a}}\n"))
	f.Add([]byte("version: 1\nwarehouse:\n  type: duckdb\n  password_file: x\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("version: [\n"))
	f.Add([]byte(Starter))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data, envOf(map[string]string{"X": "1"}))
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *configs.Error", err, err)
			}
			if ce.File != "fuzz.yaml" {
				t.Fatalf("error names file %q", ce.File)
			}
			return
		}
		for _, s := range cfg.Sources {
			var anyOpts map[string]any
			_ = s.Options.Decode(&anyOpts)
		}
	})
}
