package sftest_test

import (
	"database/sql"
	"testing"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/revops/revops/load/snowflake/sftest"
)

func open(t *testing.T, srv *sftest.Server, password string) *sql.DB {
	t.Helper()
	cfg := &sf.Config{Account: "revops", User: "revops", Password: password, Host: srv.Host, Port: srv.Port, Protocol: "http",
		Database: "DB", Schema: "PUBLIC", Warehouse: "WH", DisableOCSPChecks: true, DisableTelemetry: true, MaxRetryCount: 3}
	db := sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, *cfg))
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestSmoke(t *testing.T) {
	t.Setenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true")
	t.Setenv("SF_DISABLE_MINICORE", "true")
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, srv, "pw")
	if _, err := db.Exec(`CREATE TABLE "t" ("a" NUMBER(38,0), "b" VARCHAR, "c" FLOAT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO "t" VALUES (?, ?, ?)`, 1, "x", 2.5); err != nil {
		t.Fatal(err)
	}
	var a int64
	var b string
	var c float64
	if err := db.QueryRow(`SELECT "a", "b", "c" FROM "t"`).Scan(&a, &b, &c); err != nil {
		t.Fatal(err)
	}
	t.Log(a, b, c)
}
