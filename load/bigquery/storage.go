package bigquery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	bq "cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// Reads through the Storage Read API. The client library reads a query's
// result through the BigQueryRead gRPC service (a read session over the
// job's anonymous result table, Arrow record batches per stream) when
// storage reads are enabled on it and the result holds more than its first
// page; smaller results come back with the query's response. Query uses a
// second client with storage reads enabled (the first stays REST-only, for
// jobs and for falling back), takes the Arrow batches as they are and
// gives them the column types the REST path gives.
//
// A service that refuses the API (PERMISSION_DENIED: the credentials lack
// bigquery.readsessions.create; UNIMPLEMENTED) is logged once and the
// warehouse reads REST pages from then on: the client falls back by itself
// when the session cannot be created, and a refused ReadRows re-reads the
// job's result through REST.

// openReader makes the client that reads through the Storage Read API, or
// returns nil (with a log line) when storage reads are off or cannot be set
// up.
func (w *Warehouse) openReader(ctx context.Context, o Options, copts []option.ClientOption) *bq.Client {
	if o.DisableStorageRead || (o.StorageEndpoint == "" && (o.Endpoint != "" || len(o.ClientOptions) > 0)) {
		// An emulator of the REST API and no emulator of the gRPC service:
		// the real service must not be dialled.
		return nil
	}
	c, err := bq.NewClient(ctx, o.Project, copts...)
	if err != nil {
		w.log.Warn("bigquery: storage read client not set up; reading REST pages", "err", err)
		return nil
	}
	ropts := []option.ClientOption{
		option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(w.watchSessions)),
	}
	if o.StorageEndpoint != "" {
		ropts = append(ropts, option.WithEndpoint(o.StorageEndpoint), option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	} else if o.Credentials != "" {
		ropts = append(ropts, option.WithAuthCredentialsJSON(option.ServiceAccount, []byte(o.Credentials)))
	}
	if err := c.EnableStorageReadClient(ctx, ropts...); err != nil {
		_ = c.Close()
		w.log.Warn("bigquery: storage read client not set up; reading REST pages", "err", err)
		return nil
	}
	return c
}

// refused reports whether err is the Storage Read API saying no for good
// (as opposed to a transient failure the client retries).
func refused(err error) (codes.Code, bool) {
	st, ok := status.FromError(err)
	if !ok {
		return codes.OK, false
	}
	switch st.Code() {
	case codes.PermissionDenied, codes.Unimplemented, codes.Unauthenticated:
		return st.Code(), true
	}
	return st.Code(), false
}

// watchSessions sees the CreateReadSession calls the client makes (it
// falls back to REST pages on their errors without a word): a refusal is
// logged and turns storage reads off.
func (w *Warehouse) watchSessions(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	if err != nil {
		if code, ok := refused(err); ok {
			w.storageRefused(code, err)
		} else if ctx.Err() == nil {
			w.log.Warn("bigquery: storage read session failed; this result is read through REST pages", "code", code.String(), "err", err)
		}
	}
	return err
}

func (w *Warehouse) storageRefused(code codes.Code, err error) {
	if w.storageOff.CompareAndSwap(false, true) {
		w.log.Warn("bigquery: the Storage Read API was refused; reading results through REST pages from now on",
			"code", code.String(), "err", err)
	}
}

// StorageReads reports whether queries read through the Storage Read API
// (false when it is off by configuration, could not be set up or was
// refused).
func (w *Warehouse) StorageReads() bool { return w.reader != nil && !w.storageOff.Load() }

// queryClient is the client a query reads through.
func (w *Warehouse) queryClient() *bq.Client {
	if w.StorageReads() {
		return w.reader
	}
	return w.client
}

// readResult turns a query's row iterator into Arrow: the Storage Read
// API's batches when the client read through it, REST pages otherwise.
func (w *Warehouse) readResult(ctx context.Context, it *bq.RowIterator) (array.RecordReader, error) {
	if !it.IsAccelerated() {
		return readArrow(it)
	}
	w.mu.Lock()
	w.storageQueries++
	w.mu.Unlock()
	rr, err := readStorage(it)
	if err == nil {
		return rr, nil
	}
	code, ok := refused(err)
	if !ok {
		return nil, err
	}
	w.storageRefused(code, err)
	j := it.SourceJob()
	if j == nil {
		return nil, err
	}
	job, jerr := w.client.JobFromIDLocation(ctx, j.ID(), j.Location())
	if jerr != nil {
		return nil, fmt.Errorf("bigquery: read job %s through REST after the Storage Read API refused: %w", j.ID(), jerr)
	}
	rest, jerr := job.Read(ctx)
	if jerr != nil {
		return nil, fmt.Errorf("bigquery: read job %s through REST after the Storage Read API refused: %w", j.ID(), jerr)
	}
	return readArrow(rest)
}

// StorageQueries counts the queries whose result came through the
// Storage Read API.
func (w *Warehouse) StorageQueries() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.storageQueries
}

// readStorage drains the Arrow batches of a storage-read iterator and
// types them as arrowSchema types the result's BigQuery schema.
func readStorage(it *bq.RowIterator) (array.RecordReader, error) {
	want, err := arrowSchema(it.Schema)
	if err != nil {
		return nil, fmt.Errorf("bigquery: storage read: %w", err)
	}
	ai, err := it.ArrowIterator()
	if err != nil {
		return nil, fmt.Errorf("bigquery: storage read: %w", err)
	}
	var recs []arrow.RecordBatch
	release := func() {
		for _, r := range recs {
			r.Release()
		}
	}
	for {
		b, err := ai.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			release()
			return nil, fmt.Errorf("bigquery: storage read: %w", err)
		}
		rd, err := ipc.NewReader(io.MultiReader(bytes.NewReader(b.Schema), bytes.NewReader(b.Data)), ipc.WithAllocator(memory.DefaultAllocator))
		if err != nil {
			release()
			return nil, fmt.Errorf("bigquery: storage read: decode stream %s: %w", b.PartitionID, err)
		}
		for rd.Next() {
			rec, err := conform(rd.RecordBatch(), want)
			if err != nil {
				rd.Release()
				release()
				return nil, fmt.Errorf("bigquery: storage read: %w", err)
			}
			recs = append(recs, rec)
		}
		err = rd.Err()
		rd.Release()
		if err != nil {
			release()
			return nil, fmt.Errorf("bigquery: storage read: decode stream %s: %w", b.PartitionID, err)
		}
	}
	defer release()
	return array.NewRecordReader(want, recs)
}

// conform gives rec the schema want when their columns have the same
// layout (the service's Arrow differs only in names of list items, field
// metadata, nullability and the spelling of the UTC zone).
func conform(rec arrow.RecordBatch, want *arrow.Schema) (arrow.RecordBatch, error) {
	if int(rec.NumCols()) != want.NumFields() {
		return nil, fmt.Errorf("a batch of %d columns, want %d", rec.NumCols(), want.NumFields())
	}
	cols := make([]arrow.Array, want.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, f := range want.Fields() {
		got := rec.Column(i).Data()
		if !sameLayout(got.DataType(), f.Type) {
			return nil, fmt.Errorf("column %s is %s in the Arrow stream, want %s", f.Name, got.DataType(), f.Type)
		}
		d := retype(got, f.Type)
		cols[i] = array.MakeFromData(d)
		d.Release()
	}
	return array.NewRecordBatch(want, cols, rec.NumRows()), nil
}

func sameLayout(got, want arrow.DataType) bool {
	if got.ID() != want.ID() {
		return false
	}
	switch w := want.(type) {
	case *arrow.TimestampType:
		g := got.(*arrow.TimestampType)
		return g.Unit == w.Unit && (g.TimeZone == "") == (w.TimeZone == "")
	case *arrow.Time64Type:
		return got.(*arrow.Time64Type).Unit == w.Unit
	case *arrow.Decimal128Type:
		g := got.(*arrow.Decimal128Type)
		return g.Precision == w.Precision && g.Scale == w.Scale
	case *arrow.ListType:
		return sameLayout(got.(*arrow.ListType).Elem(), w.Elem())
	case *arrow.StructType:
		g := got.(*arrow.StructType)
		if g.NumFields() != w.NumFields() {
			return false
		}
		for i := range w.Fields() {
			if !sameLayout(g.Field(i).Type, w.Field(i).Type) {
				return false
			}
		}
	}
	return true
}

// retype returns d's buffers under type t (sameLayout holds).
func retype(d arrow.ArrayData, t arrow.DataType) arrow.ArrayData {
	var children []arrow.ArrayData
	switch t := t.(type) {
	case *arrow.ListType:
		children = []arrow.ArrayData{retype(d.Children()[0], t.Elem())}
	case *arrow.StructType:
		for i, f := range t.Fields() {
			children = append(children, retype(d.Children()[i], f.Type))
		}
	}
	out := array.NewData(t, d.Len(), d.Buffers(), children, d.NullN(), d.Offset())
	for _, c := range children {
		c.Release()
	}
	return out
}

// logger returns l or the default logger.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
