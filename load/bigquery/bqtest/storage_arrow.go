//go:build duckdb_arrow

package bqtest

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// arrowQuery runs q through DuckDB's Arrow interface and hands each record
// batch to fn.
func (s *Server) arrowQuery(ctx context.Context, q string, fn func(*arrow.Schema, arrow.RecordBatch) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		dconn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("duckdb connection %T", dc)
		}
		a, err := duckdb.NewArrowFromConn(dconn)
		if err != nil {
			return err
		}
		rdr, err := a.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rdr.Release()
		if err := fn(rdr.Schema(), nil); err != nil {
			return err
		}
		for rdr.Next() {
			if err := fn(rdr.Schema(), rdr.RecordBatch()); err != nil {
				return err
			}
		}
		return rdr.Err()
	})
}

// ipcSchema is the schema message of the Arrow IPC stream format (the
// stream's end-of-stream marker cut off), as the service sends it.
func ipcSchema(sc *arrow.Schema) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(sc))
	if err := w.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if len(b) < 8 {
		return nil, fmt.Errorf("arrow schema message of %d bytes", len(b))
	}
	return b[:len(b)-8], nil
}

// arrowSchema returns the serialized Arrow schema of q's result.
func (s *Server) arrowSchema(ctx context.Context, q string) ([]byte, error) {
	var out []byte
	err := s.arrowQuery(ctx, q, func(sc *arrow.Schema, rec arrow.RecordBatch) error {
		if rec != nil {
			return nil
		}
		var err error
		out, err = ipcSchema(sc)
		return err
	})
	return out, err
}

// arrowBatches runs q and hands fn each record batch as an IPC record
// batch message (without the schema) and its row count.
func (s *Server) arrowBatches(ctx context.Context, q string, fn func(data []byte, rows int64) error) error {
	skip := 0
	return s.arrowQuery(ctx, q, func(sc *arrow.Schema, rec arrow.RecordBatch) error {
		if rec == nil {
			head, err := ipcSchema(sc)
			skip = len(head)
			return err
		}
		if rec.NumRows() == 0 {
			return nil
		}
		var buf bytes.Buffer
		w := ipc.NewWriter(&buf, ipc.WithSchema(sc))
		if err := w.Write(rec); err != nil {
			return err
		}
		data := bytes.Clone(buf.Bytes()[skip:])
		return fn(data, rec.NumRows())
	})
}
