//go:build duckdb_arrow

package duckdb_test

import (
	"path/filepath"
	"testing"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/load/loadtest"
)

func TestConformance(t *testing.T) {
	loadtest.Run(t, func(t *testing.T) load.Warehouse {
		w, err := duckdb.Open(t.Context(), duckdb.Options{Path: filepath.Join(t.TempDir(), "wh.duckdb")})
		if err != nil {
			t.Fatal(err)
		}
		return w
	})
}

func TestConformanceInMemory(t *testing.T) {
	loadtest.Run(t, func(t *testing.T) load.Warehouse {
		w, err := duckdb.Open(t.Context(), duckdb.Options{Path: ":memory:"})
		if err != nil {
			t.Fatal(err)
		}
		return w
	})
}
