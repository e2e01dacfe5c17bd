package bqtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Datasets are DuckDB schemas of the same name; tables and views are
// DuckDB's. BigQuery's dataset and table names are case-sensitive: a query
// naming an existing one in another case is refused as not found
// (exactName); the REST lookups here still compare case-insensitively
// (DuckDB's rule).

func (s *Server) datasetJSON(d *dataset) map[string]any {
	return map[string]any{
		"kind": "bigquery#dataset", "id": s.project + ":" + d.ID, "etag": "e" + msString(d.Created),
		"datasetReference": map[string]any{"projectId": s.project, "datasetId": d.ID},
		"location":         d.Location, "creationTime": msString(d.Created), "lastModifiedTime": msString(d.Created),
	}
}

func (s *Server) lookupDataset(id string) (*dataset, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, d := range s.datasets {
		if strings.EqualFold(k, id) {
			return d, nil
		}
	}
	return nil, errf(404, "notFound", "Not found: Dataset %s:%s", s.project, id)
}

func (s *Server) listDatasets(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	s.mu.Lock()
	ids := make([]string, 0, len(s.datasets))
	for id, d := range s.datasets {
		if d.Hidden {
			continue
		}
		ids = append(ids, id)
	}
	s.mu.Unlock()
	sort.Strings(ids)
	var out []any
	for _, id := range ids {
		d, err := s.lookupDataset(id)
		if err == nil {
			out = append(out, s.datasetJSON(d))
		}
	}
	return map[string]any{"kind": "bigquery#datasetList", "datasets": out}, nil
}

func (s *Server) insertDataset(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	var body struct {
		DatasetReference struct{ ProjectID, DatasetID string } `json:"datasetReference"`
		Location         string                                `json:"location"`
	}
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	id := body.DatasetReference.DatasetID
	if !validName(id) {
		return nil, errf(400, "invalid", "Invalid dataset ID %q. Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.", id)
	}
	if _, err := s.lookupDataset(id); err == nil {
		return nil, errf(409, "duplicate", "Already Exists: Dataset %s:%s", s.project, id)
	}
	if body.Location == "" {
		body.Location = "US"
	}
	s.ddlMu.Lock()
	_, err := s.db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(id))
	s.ddlMu.Unlock()
	if err != nil {
		return nil, errf(500, "internalError", "create dataset %s: %v", id, err)
	}
	d := &dataset{ID: id, Location: body.Location, Created: time.Now()}
	s.mu.Lock()
	s.datasets[id] = d
	s.mu.Unlock()
	return s.datasetJSON(d), nil
}

func validName(id string) bool {
	if id == "" || len(id) > 1024 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isIdentByte(id[i]) {
			return false
		}
	}
	return true
}

func (s *Server) getDataset(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	d, err := s.lookupDataset(args[0])
	if err != nil {
		return nil, err
	}
	return s.datasetJSON(d), nil
}

func (s *Server) deleteDataset(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	d, aerr := s.lookupDataset(args[0])
	if aerr != nil {
		return nil, aerr
	}
	q := "DROP SCHEMA " + quoteIdent(d.ID)
	if r.URL.Query().Get("deleteContents") == "true" {
		q += " CASCADE"
	}
	s.ddlMu.Lock()
	_, err := s.db.ExecContext(ctx, q)
	s.ddlMu.Unlock()
	if err != nil {
		return nil, errf(400, "resourceInUse", "Dataset %s:%s is still in use", s.project, d.ID)
	}
	s.mu.Lock()
	delete(s.datasets, d.ID)
	s.mu.Unlock()
	return nil, nil
}

// tableInfo is what the catalog knows of one table or view.
type tableInfo struct {
	dataset, name string
	view          bool
	viewSQL       string
	fields        []*field
	rows          int64
}

func (s *Server) tableJSON(t *tableInfo) map[string]any {
	now := msString(time.Now())
	m := map[string]any{
		"kind": "bigquery#table", "id": fmt.Sprintf("%s:%s.%s", s.project, t.dataset, t.name), "etag": "t" + now,
		"tableReference": map[string]any{"projectId": s.project, "datasetId": t.dataset, "tableId": t.name},
		"type":           "TABLE", "schema": tableSchema{Fields: t.fields},
		"creationTime": now, "lastModifiedTime": now, "location": "US",
	}
	if t.view {
		m["type"] = "VIEW"
		m["view"] = map[string]any{"query": t.viewSQL, "useLegacySql": false}
	} else {
		m["numRows"] = fmt.Sprint(t.rows)
		m["numBytes"] = "0"
	}
	return m
}

// describe reads a table's or view's columns from DuckDB's catalog; nil
// when it does not exist.
func (s *Server) describe(ctx context.Context, ds, name string) (*tableInfo, *apiError) {
	d, aerr := s.lookupDataset(ds)
	if aerr != nil {
		return nil, aerr
	}
	t := &tableInfo{dataset: d.ID}
	var found bool
	err := s.db.QueryRowContext(ctx, `SELECT table_name, false, '' FROM duckdb_tables() WHERE NOT temporary AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?)
		UNION ALL SELECT view_name, true, sql FROM duckdb_views() WHERE NOT temporary AND NOT internal AND lower(schema_name) = lower(?) AND lower(view_name) = lower(?)`,
		d.ID, name, d.ID, name).Scan(&t.name, &t.view, &t.viewSQL)
	switch {
	case err == sql.ErrNoRows:
		return nil, errf(404, "notFound", "Not found: Table %s:%s.%s", s.project, d.ID, name)
	case err != nil:
		return nil, errf(500, "internalError", "describe %s.%s: %v", ds, name, err)
	}
	found = true
	_ = found
	rows, err := s.db.QueryContext(ctx, `SELECT column_name, data_type, is_nullable FROM duckdb_columns()
		WHERE lower(schema_name) = lower(?) AND lower(table_name) = lower(?) ORDER BY column_index`, d.ID, t.name)
	if err != nil {
		return nil, errf(500, "internalError", "describe %s.%s: %v", ds, name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var col, typ string
		var nullable bool
		if err := rows.Scan(&col, &typ, &nullable); err != nil {
			return nil, errf(500, "internalError", "describe %s.%s: %v", ds, name, err)
		}
		tn, err := parseDuckType(typ)
		if err != nil {
			return nil, errf(500, "internalError", "describe %s.%s: %v", ds, name, err)
		}
		f, err := bqField(col, tn, !nullable)
		if err != nil {
			return nil, errf(500, "internalError", "describe %s.%s: %v", ds, name, err)
		}
		t.fields = append(t.fields, f)
	}
	if err := rows.Err(); err != nil {
		return nil, errf(500, "internalError", "describe %s.%s: %v", ds, name, err)
	}
	if !t.view {
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s.%s", quoteIdent(d.ID), quoteIdent(t.name))).Scan(&t.rows); err != nil {
			return nil, errf(500, "internalError", "count %s.%s: %v", ds, name, err)
		}
	}
	return t, nil
}

func (s *Server) listTables(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	d, aerr := s.lookupDataset(args[0])
	if aerr != nil {
		return nil, aerr
	}
	rows, err := s.db.QueryContext(ctx, `SELECT table_name, false FROM duckdb_tables() WHERE NOT temporary AND lower(schema_name) = lower(?)
		UNION ALL SELECT view_name, true FROM duckdb_views() WHERE NOT temporary AND NOT internal AND lower(schema_name) = lower(?) ORDER BY 1`, d.ID, d.ID)
	if err != nil {
		return nil, errf(500, "internalError", "list tables: %v", err)
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var name string
		var view bool
		if err := rows.Scan(&name, &view); err != nil {
			return nil, errf(500, "internalError", "list tables: %v", err)
		}
		typ := "TABLE"
		if view {
			typ = "VIEW"
		}
		out = append(out, map[string]any{"kind": "bigquery#table", "id": fmt.Sprintf("%s:%s.%s", s.project, d.ID, name),
			"tableReference": map[string]any{"projectId": s.project, "datasetId": d.ID, "tableId": name}, "type": typ})
	}
	return map[string]any{"kind": "bigquery#tableList", "tables": out, "totalItems": len(out)}, nil
}

type tableBody struct {
	TableReference struct {
		ProjectID string `json:"projectId"`
		DatasetID string `json:"datasetId"`
		TableID   string `json:"tableId"`
	} `json:"tableReference"`
	Schema *tableSchema `json:"schema"`
	View   *struct {
		Query        string `json:"query"`
		UseLegacySQL *bool  `json:"useLegacySql"`
	} `json:"view"`
}

func (s *Server) insertTable(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	d, aerr := s.lookupDataset(args[0])
	if aerr != nil {
		return nil, aerr
	}
	var body tableBody
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	name := body.TableReference.TableID
	if !validName(name) {
		return nil, errf(400, "invalid", "Invalid table ID %q.", name)
	}
	if _, err := s.describe(ctx, d.ID, name); err == nil {
		return nil, errf(409, "duplicate", "Already Exists: Table %s:%s.%s", s.project, d.ID, name)
	}
	var q string
	switch {
	case body.View != nil:
		if body.View.UseLegacySQL != nil && *body.View.UseLegacySQL {
			return nil, errf(400, "invalid", "Legacy SQL views are not supported by this emulator")
		}
		sel, err := s.translate(body.View.Query, d.ID)
		if err != nil {
			return nil, err
		}
		q = fmt.Sprintf("CREATE VIEW %s.%s AS %s", quoteIdent(d.ID), quoteIdent(name), sel)
	case body.Schema != nil:
		cols, err := ddlColumns(body.Schema.Fields)
		if err != nil {
			return nil, err
		}
		q = fmt.Sprintf("CREATE TABLE %s.%s (%s)", quoteIdent(d.ID), quoteIdent(name), cols)
	default:
		return nil, errf(400, "invalid", "Table %s.%s has neither a schema nor a view query", d.ID, name)
	}
	s.ddlMu.Lock()
	_, err := s.db.ExecContext(ctx, q)
	s.ddlMu.Unlock()
	if err != nil {
		return nil, errf(400, "invalid", "create table %s.%s: %v", d.ID, name, err)
	}
	t, aerr := s.describe(ctx, d.ID, name)
	if aerr != nil {
		return nil, aerr
	}
	return s.tableJSON(t), nil
}

func (s *Server) getTable(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	t, err := s.describe(ctx, args[0], args[1])
	if err != nil {
		return nil, err
	}
	return s.tableJSON(t), nil
}

// patchTable applies a schema change: fields added at the end (NULLABLE
// or REPEATED), REQUIRED relaxed to NULLABLE. Removing or retyping a
// field is refused as the service refuses it.
func (s *Server) patchTable(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	t, aerr := s.describe(ctx, args[0], args[1])
	if aerr != nil {
		return nil, aerr
	}
	var body tableBody
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	if body.Schema != nil && !t.view {
		cur := map[string]*field{}
		for _, f := range t.fields {
			cur[strings.ToLower(f.Name)] = f
		}
		rel := quoteIdent(t.dataset) + "." + quoteIdent(t.name)
		var ddl []string
		kept := 0
		for _, f := range body.Schema.Fields {
			old, ok := cur[strings.ToLower(f.Name)]
			if !ok {
				if strings.EqualFold(f.Mode, "REQUIRED") {
					return nil, errf(400, "invalid", "Provided Schema does not match Table %s:%s.%s. Cannot add required fields to an existing schema. (field: %s)", s.project, t.dataset, t.name, f.Name)
				}
				typ, err := duckType(f)
				if err != nil {
					return nil, err
				}
				ddl = append(ddl, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", rel, quoteIdent(f.Name), typ))
				continue
			}
			kept++
			nt, err := duckType(f)
			if err != nil {
				return nil, err
			}
			ot, _ := duckType(old)
			if nt != ot {
				return nil, errf(400, "invalid", "Provided Schema does not match Table %s:%s.%s. Field %s has changed type from %s to %s",
					s.project, t.dataset, t.name, f.Name, old.Type, f.Type)
			}
			if old.Mode == "REQUIRED" && !strings.EqualFold(f.Mode, "REQUIRED") {
				ddl = append(ddl, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", rel, quoteIdent(f.Name)))
			}
		}
		if kept != len(t.fields) {
			return nil, errf(400, "invalid", "Provided Schema does not match Table %s:%s.%s. Cannot remove fields from the schema.", s.project, t.dataset, t.name)
		}
		s.ddlMu.Lock()
		for _, q := range ddl {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				s.ddlMu.Unlock()
				return nil, errf(400, "invalid", "patch %s.%s: %v", t.dataset, t.name, err)
			}
		}
		s.ddlMu.Unlock()
	}
	t, aerr = s.describe(ctx, args[0], args[1])
	if aerr != nil {
		return nil, aerr
	}
	return s.tableJSON(t), nil
}

func (s *Server) deleteTable(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	t, aerr := s.describe(ctx, args[0], args[1])
	if aerr != nil {
		return nil, aerr
	}
	kind := "TABLE"
	if t.view {
		kind = "VIEW"
	}
	s.ddlMu.Lock()
	_, err := s.db.ExecContext(ctx, fmt.Sprintf("DROP %s %s.%s", kind, quoteIdent(t.dataset), quoteIdent(t.name)))
	s.ddlMu.Unlock()
	if err != nil {
		return nil, errf(400, "invalid", "delete %s.%s: %v", t.dataset, t.name, err)
	}
	return nil, nil
}

func (s *Server) listTableData(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	t, aerr := s.describe(ctx, args[0], args[1])
	if aerr != nil {
		return nil, aerr
	}
	res, aerr := s.runSelect(ctx, nil, fmt.Sprintf("SELECT * FROM %s.%s", quoteIdent(t.dataset), quoteIdent(t.name)), nil)
	if aerr != nil {
		return nil, aerr
	}
	rows, token := res.page(r.URL.Query(), s.pageRows)
	out := map[string]any{"kind": "bigquery#tableDataList", "totalRows": fmt.Sprint(len(res.rows)), "rows": rows}
	if token != "" {
		out["pageToken"] = token
	}
	return out, nil
}
