//go:build duckdb_arrow

package duckdb_test

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	duckdbgo "github.com/duckdb/duckdb-go/v2"

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

// The tests below run a second process (this test binary, re-executed)
// that holds the warehouse open or dies in the middle of a landing.

const helperEnv = "REVOPS_DUCKDB_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "hold":
		helperHold(os.Getenv("REVOPS_DUCKDB_PATH"))
	case "die-mid-landing":
		helperDieMidLanding(os.Getenv("REVOPS_DUCKDB_PATH"))
	case "leave-arrow-view":
		helperLeaveArrowView(os.Getenv("REVOPS_DUCKDB_PATH"))
	}
	os.Exit(3)
}

// helperHold opens the warehouse and keeps it open until killed.
func helperHold(path string) {
	w, err := duckdb.Open(context.Background(), duckdb.Options{Path: path})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer w.Close()
	fmt.Println("ready")
	time.Sleep(time.Minute)
}

// blockingReader yields its batches, says so, then blocks forever: the
// process is killed while DuckDB is inside the landing's transaction.
type blockingReader struct {
	array.RecordReader
	told bool
}

func (b *blockingReader) Next() bool {
	if b.RecordReader.Next() {
		return true
	}
	if !b.told {
		b.told = true
		fmt.Println("ready")
	}
	select {}
}

func helperDieMidLanding(path string) {
	ctx := context.Background()
	w, err := duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.BinaryTypes.String},
		{Name: "added_later", Type: arrow.BinaryTypes.String},
	}, nil)
	var batches [][][]any
	for b := 0; b < 5; b++ {
		var rows [][]any
		for i := 0; i < 50_000; i++ {
			rows = append(rows, []any{int64(b*50_000 + i), "new", "x"})
		}
		batches = append(batches, rows)
	}
	r := &blockingReader{RecordReader: loadtest.MustReader(schema, batches...)}
	_, err = w.Land(ctx, load.Table{Schema: "raw", Name: "crash"}, r, load.LandOptions{
		Mode: load.Merge, Key: []string{"id"}, Cursor: &load.CursorUpdate{Source: "s", Object: "crash", Value: "after"},
	})
	fmt.Println("landing returned:", err)
}

// helperLeaveArrowView does what landings of earlier builds did: it
// commits a view over an Arrow stream (DuckDB's Arrow scan makes it a view
// of the database) and staging tables, then waits to be killed.
func helperLeaveArrowView(path string) {
	ctx := context.Background()
	connector, err := duckdbgo.NewConnector(path, nil)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	r := loadtest.MustReader(schema, [][]any{{int64(1)}})
	err = conn.Raw(func(dc any) error {
		ar, err := duckdbgo.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err := ar.RegisterView(r, "_revops_arrow_1")
		if err != nil {
			return err
		}
		release() // the stream is gone, the view stays
		return nil
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, q := range []string{`CREATE SCHEMA raw`, `CREATE TABLE raw._revops_stage_2 (x INTEGER)`, `CREATE TABLE _revops_dedup_3 (x INTEGER)`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			fmt.Println("error:", err)
			return
		}
	}
	fmt.Println("ready")
	select {}
}

// helper starts this test binary as a helper process and waits for its "ready".
func helper(t *testing.T, mode, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "REVOPS_DUCKDB_PATH="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper %s said %q (%v)", mode, line, err)
	}
	return cmd
}

func TestLockedFileFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wh.duckdb")
	helper(t, "hold", path)
	done := make(chan error, 1)
	go func() {
		w, err := duckdb.Open(context.Background(), duckdb.Options{Path: path})
		if err == nil {
			w.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, load.ErrLocked) {
			t.Fatalf("err = %v, want ErrLocked", err)
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "in use by process") {
			t.Errorf("error should name the file and the holder: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("opening a locked warehouse hangs")
	}
}

func TestKilledLandingLeavesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wh.duckdb")
	ctx := t.Context()
	w, err := duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.BinaryTypes.String},
	}, nil)
	r := loadtest.MustReader(schema, [][]any{{int64(1), "old"}, {int64(2), "old"}})
	if _, err := w.Land(ctx, load.Table{Schema: "raw", Name: "crash"}, r, load.LandOptions{
		Mode: load.Merge, Key: []string{"id"}, Cursor: &load.CursorUpdate{Source: "s", Object: "crash", Value: "before"},
	}); err != nil {
		t.Fatal(err)
	}
	r.Release()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := helper(t, "die-mid-landing", path)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	w, err = duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer w.Close()
	rdr, err := w.Query(ctx, `SELECT count(*), count(*) FILTER (WHERE v = 'old') FROM raw.crash`)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(rdr)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != int64(2) || rows[0][1] != int64(2) {
		t.Fatalf("after a killed landing: %v rows / old rows, want 2/2", rows[0])
	}
	rdr, err = w.Query(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'crash' AND column_name = 'added_later'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, rows, _ = load.ReadAll(rdr); rows[0][0] != int64(0) {
		t.Fatal("a column added by the killed landing survived")
	}
	c, _, err := load.GetCursor(ctx, w, "s", "crash")
	if err != nil || c.Value != "before" {
		t.Fatalf("cursor = %+v (%v), want the one saved before the kill", c, err)
	}
	if got := leftovers(t, w); len(got) > 0 {
		t.Fatalf("the killed landing left %v", got)
	}
}

// leftovers lists the views and tables landings make for their own use
// that are still in the database.
func leftovers(t *testing.T, w *duckdb.Warehouse) [][]any {
	t.Helper()
	rdr, err := w.Query(t.Context(), `SELECT schema_name, view_name FROM duckdb_views() WHERE starts_with(view_name, '_revops_')
		UNION ALL SELECT schema_name, table_name FROM duckdb_tables() WHERE starts_with(table_name, '_revops_')`)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(rdr)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestOpenDropsLeftovers: views over Arrow streams that an earlier build
// committed, and its staging tables, are dropped when the warehouse is
// opened; reading such a view then fails with an error instead of
// following the freed stream's pointers (SIGSEGV).
func TestOpenDropsLeftovers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wh.duckdb")
	cmd := helper(t, "leave-arrow-view", path)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	w, err := duckdb.Open(t.Context(), duckdb.Options{Path: path})
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer w.Close()
	if got := leftovers(t, w); len(got) > 0 {
		t.Fatalf("open kept %v", got)
	}
	rdr, err := w.Query(t.Context(), `SELECT * FROM _revops_arrow_1`)
	if err == nil {
		rdr.Release()
		t.Fatal("a query of the dropped view succeeded")
	}
	if !strings.Contains(err.Error(), "_revops_arrow_1") {
		t.Errorf("the error should name the view: %v", err)
	}
}

// TestNoLeftoversOneConnection runs the suite's leftover case on a
// warehouse with a single connection, so the check also sees the
// temporary tables of the connection the landings used.
func TestNoLeftoversOneConnection(t *testing.T) {
	loadtest.RunCases(t, func(t *testing.T) load.Warehouse {
		w, err := duckdb.Open(t.Context(), duckdb.Options{Path: filepath.Join(t.TempDir(), "wh.duckdb")})
		if err != nil {
			t.Fatal(err)
		}
		w.DB().SetMaxOpenConns(1)
		return w
	}, "NoLeftoverObjects")
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opts duckdb.Options
		want string
	}{
		{"no path", duckdb.Options{}, "path: required"},
		{"missing directory", duckdb.Options{Path: filepath.Join(dir, "nope", "wh.duckdb")}, "nope"},
		{"parent is a file", duckdb.Options{Path: filepath.Join(file, "wh.duckdb")}, "not a directory"},
		{"not a database", duckdb.Options{Path: file}, file},
		{"bad memory limit", duckdb.Options{Path: ":memory:", MemoryLimit: "lots"}, "memory_limit"},
		{"negative threads", duckdb.Options{Path: ":memory:", Threads: -1}, "threads"},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		cases = append(cases, struct {
			name string
			opts duckdb.Options
			want string
		}{"unwritable directory", duckdb.Options{Path: filepath.Join(ro, "wh.duckdb")}, "not writable"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := duckdb.Open(t.Context(), c.opts)
			if err == nil {
				w.Close()
				t.Fatal("open succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
