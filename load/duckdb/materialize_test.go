//go:build duckdb_arrow

package duckdb_test

import (
	"path/filepath"
	"testing"

	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/load/loadtest"
)

func TestModelConformance(t *testing.T) {
	loadtest.RunModels(t, func(t *testing.T) loadtest.ModelWarehouse {
		w, err := duckdb.Open(t.Context(), duckdb.Options{Path: filepath.Join(t.TempDir(), "wh.duckdb")})
		if err != nil {
			t.Fatal(err)
		}
		return w
	})
}
