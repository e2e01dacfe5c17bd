package bqtest

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/bigquery/storage/apiv1/storagepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The Storage Read API (google.cloud.bigquery.storage.v1.BigQueryRead) is
// served over gRPC on a loopback port of its own (StorageAddr), without
// TLS or credentials. The client reaches it with
//
//	client.EnableStorageReadClient(ctx, option.WithEndpoint(s.StorageAddr()),
//		option.WithoutAuthentication(),
//		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
//
// Read sessions serve tables and the anonymous tables of query results in
// Arrow only (Avro is refused), split in streams of up to WithStreamRows
// rows; each ReadRows response holds one Arrow IPC record batch of DuckDB's
// result (up to 2,048 rows, DuckDB's vector), typed as the service types its
// Arrow: INT64 int64, FLOAT64 float64, NUMERIC decimal128(38,9), TIMESTAMP
// timestamp[us, UTC], DATETIME timestamp[us], DATE date32, TIME time64[us],
// STRING, JSON and GEOGRAPHY utf8, BYTES binary, REPEATED list, RECORD
// struct. Row restrictions are refused; selected fields are honoured. A
// session reads what its table holds when each stream is read (the service
// reads a snapshot; anonymous tables never change, so query results are
// exact).

// anonDataset holds the anonymous tables of paged query results; it is
// not listed, as the service's are not.
const anonDataset = "_bqtest_anonymous"

// maxAnon is how many anonymous tables are kept; older ones are dropped
// (the service keeps them a day).
const maxAnon = 64

// writeAnonymous writes the whole result of a SELECT that is longer than
// a page to an anonymous table, as the service does: its REST pages and
// the Storage Read API then read the same snapshot from there. A result
// that cannot be written so (duplicate column names) is read whole into
// memory instead, and has no table for the Storage Read API: clients then
// read pages.
func (s *Server) writeAnonymous(ctx context.Context, j *job) {
	name := "anon_" + strings.Map(func(r rune) rune {
		if r < 128 && isIdentByte(byte(r)) {
			return r
		}
		return '_'
	}, j.id)
	rel := quoteIdent(anonDataset) + "." + quoteIdent(name)
	ok := func() bool {
		s.ddlMu.Lock()
		defer s.ddlMu.Unlock()
		if _, err := s.db.ExecContext(ctx, "CREATE TABLE "+rel+" AS "+j.res.selectSQL, j.res.args...); err != nil {
			s.log.Debug("bqtest: no anonymous table", "job", j.id, "err", err)
			return false
		}
		t, aerr := s.describe(ctx, anonDataset, name)
		same := aerr == nil && len(t.fields) == len(j.res.fields)
		for i := 0; same && i < len(t.fields); i++ {
			same = t.fields[i].Name == j.res.fields[i].Name
		}
		if !same {
			_, _ = s.db.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+rel)
			return false
		}
		j.res.fields, j.res.total, j.res.anon, j.res.rows = t.fields, int(t.rows), rel, nil
		return true
	}()
	if !ok {
		res, aerr := s.runSelect(ctx, s.db, j.res.selectSQL, j.res.args)
		if aerr != nil {
			j.err = aerr
			return
		}
		res.statementType = j.res.statementType
		j.res = res
		return
	}
	j.anon = name
	s.mu.Lock()
	s.anons = append(s.anons, name)
	var old []string
	if len(s.anons) > maxAnon {
		old = append(old, s.anons[:len(s.anons)-maxAnon]...)
		s.anons = append([]string(nil), s.anons[len(s.anons)-maxAnon:]...)
	}
	s.mu.Unlock()
	for _, n := range old {
		_, _ = s.db.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+quoteIdent(anonDataset)+"."+quoteIdent(n))
	}
}

// StorageAddr is the host:port of the Storage Read API (gRPC, no TLS).
func (s *Server) StorageAddr() string { return s.grpcLis.Addr().String() }

// FailStorage makes the next n calls of the Storage Read API method
// ("CreateReadSession", "ReadRows" or "" for either) fail with code (for
// example codes.PermissionDenied, codes.Unimplemented, codes.Unavailable).
func (s *Server) FailStorage(method string, n int, code codes.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storageFaults = append(s.storageFaults, storageFault{method: method, n: n, code: code})
}

type storageFault struct {
	method string
	n      int
	code   codes.Code
}

func (s *Server) takeStorageFault(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.storageFaults {
		f := &s.storageFaults[i]
		if f.n > 0 && (f.method == "" || f.method == method) {
			f.n--
			return status.Errorf(f.code, "bqtest: %s refused (injected %s)", method, f.code)
		}
	}
	return nil
}

// WithStreamRows sets how many rows one read stream of a session holds at
// most (default 50,000): a session over more rows has several streams,
// unless the client asks for one (ordered results).
func WithStreamRows(n int) Option { return func(s *Server) { s.streamRows = n } }

// readSession is a session the emulator handed out.
type readSession struct {
	rel     string   // "dataset"."table"
	columns string   // the select list, cast to the service's Arrow types
	streams [][2]int // row ranges [start, end)
}

func (s *Server) startStorage() error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("bqtest: listen for the Storage Read API: %w", err)
	}
	s.grpcLis = lis
	s.grpc = grpc.NewServer(grpc.MaxSendMsgSize(129 << 20))
	storagepb.RegisterBigQueryReadServer(s.grpc, &readServer{s: s})
	go func() { _ = s.grpc.Serve(lis) }()
	return nil
}

type readServer struct {
	storagepb.UnimplementedBigQueryReadServer
	s *Server
}

// CreateReadSession describes the table, fixes its columns and splits
// its rows into streams.
func (rs *readServer) CreateReadSession(ctx context.Context, req *storagepb.CreateReadSessionRequest) (*storagepb.ReadSession, error) {
	s := rs.s
	s.count("storage.CreateReadSession")
	if err := s.takeStorageFault("CreateReadSession"); err != nil {
		return nil, err
	}
	want := req.GetReadSession()
	if want == nil {
		return nil, status.Error(codes.InvalidArgument, "read_session: required")
	}
	if f := want.GetDataFormat(); f != storagepb.DataFormat_ARROW {
		return nil, status.Errorf(codes.InvalidArgument, "bqtest: data format %s is not emulated (ARROW only)", f)
	}
	if want.GetReadOptions().GetRowRestriction() != "" {
		return nil, status.Error(codes.InvalidArgument, "bqtest: row restrictions are not emulated")
	}
	if want.GetTableModifiers() != nil {
		return nil, status.Error(codes.InvalidArgument, "bqtest: table modifiers (snapshot time) are not emulated")
	}
	p := strings.Split(want.GetTable(), "/")
	if len(p) != 6 || p[0] != "projects" || p[2] != "datasets" || p[4] != "tables" {
		return nil, status.Errorf(codes.InvalidArgument, "table %q: want projects/{project}/datasets/{dataset}/tables/{table}", want.GetTable())
	}
	if p[1] != s.project {
		return nil, status.Errorf(codes.NotFound, "Not found: Project %s", p[1])
	}
	if parent := req.GetParent(); parent != "projects/"+s.project {
		return nil, status.Errorf(codes.PermissionDenied, "parent %q: this emulator bills project %s only", parent, s.project)
	}
	t, aerr := s.describe(ctx, p[3], p[5])
	if aerr != nil {
		return nil, status.Error(grpcCode(aerr.code), aerr.message)
	}
	fields := t.fields
	if sel := want.GetReadOptions().GetSelectedFields(); len(sel) > 0 {
		fields = nil
		for _, name := range sel {
			var f *field
			for _, tf := range t.fields {
				if strings.EqualFold(tf.Name, name) {
					f = tf
				}
			}
			if f == nil {
				return nil, status.Errorf(codes.InvalidArgument, "selected field %q is not a column of %s.%s", name, p[3], p[5])
			}
			fields = append(fields, f)
		}
	}
	cols := make([]string, 0, len(fields))
	for _, f := range fields {
		dt, aerr := duckType(storageField(f))
		if aerr != nil {
			return nil, status.Error(codes.InvalidArgument, aerr.message)
		}
		cols = append(cols, "CAST("+quoteIdent(f.Name)+" AS "+dt+") AS "+quoteIdent(f.Name))
	}
	sess := &readSession{rel: quoteIdent(t.dataset) + "." + quoteIdent(t.name), columns: strings.Join(cols, ", ")}
	if t.view {
		return nil, status.Errorf(codes.InvalidArgument, "%s.%s is a view: the Storage Read API reads tables only", p[3], p[5])
	}
	schema, err := s.arrowSchema(ctx, "SELECT "+sess.columns+" FROM "+sess.rel+" LIMIT 0")
	if err != nil {
		if _, ok := status.FromError(err); ok {
			return nil, err
		}
		return nil, status.Errorf(codes.Internal, "bqtest: arrow schema of %s.%s: %v", p[3], p[5], err)
	}
	per := s.streamRows
	n := int((t.rows + int64(per) - 1) / int64(per))
	if n < 1 {
		n = 1
	}
	if m := int(req.GetMaxStreamCount()); m > 0 && n > m {
		n = m
	}
	for i := 0; i < n; i++ {
		sess.streams = append(sess.streams, [2]int{int(t.rows) * i / n, int(t.rows) * (i + 1) / n})
	}
	name := s.nextID("projects/" + s.project + "/locations/" + strings.ToLower(s.location(p[3])) + "/sessions/s")
	s.mu.Lock()
	s.sessions[name] = sess
	s.mu.Unlock()
	out := &storagepb.ReadSession{
		Name: name, DataFormat: storagepb.DataFormat_ARROW, Table: want.GetTable(),
		ExpireTime:        timestamppb.New(time.Now().Add(6 * 3600e9)),
		Schema:            &storagepb.ReadSession_ArrowSchema{ArrowSchema: &storagepb.ArrowSchema{SerializedSchema: schema}},
		EstimatedRowCount: t.rows,
		ReadOptions:       want.GetReadOptions(),
	}
	for i := range sess.streams {
		out.Streams = append(out.Streams, &storagepb.ReadStream{Name: name + "/streams/" + strconv.Itoa(i)})
	}
	return out, nil
}

// ReadRows sends a stream's rows from its offset, one Arrow record batch
// per response.
func (rs *readServer) ReadRows(req *storagepb.ReadRowsRequest, out storagepb.BigQueryRead_ReadRowsServer) error {
	s := rs.s
	s.count("storage.ReadRows")
	if err := s.takeStorageFault("ReadRows"); err != nil {
		return err
	}
	name := req.GetReadStream()
	i := strings.LastIndex(name, "/streams/")
	if i < 0 {
		return status.Errorf(codes.InvalidArgument, "read_stream %q: not a stream name", name)
	}
	idx, err := strconv.Atoi(name[i+len("/streams/"):])
	s.mu.Lock()
	sess := s.sessions[name[:i]]
	s.mu.Unlock()
	if err != nil || sess == nil || idx < 0 || idx >= len(sess.streams) {
		return status.Errorf(codes.NotFound, "read stream %s not found", name)
	}
	r := sess.streams[idx]
	start := r[0] + int(req.GetOffset())
	if req.GetOffset() < 0 || start > r[1] {
		return status.Errorf(codes.OutOfRange, "offset %d is beyond stream %s (%d rows)", req.GetOffset(), name, r[1]-r[0])
	}
	if start == r[1] {
		return nil
	}
	q := fmt.Sprintf("SELECT %s FROM %s LIMIT %d OFFSET %d", sess.columns, sess.rel, r[1]-start, start)
	total := int64(start - r[0])
	err = s.arrowBatches(out.Context(), q, func(data []byte, rows int64) error {
		total += rows
		return out.Send(&storagepb.ReadRowsResponse{
			RowCount: rows,
			Rows: &storagepb.ReadRowsResponse_ArrowRecordBatch{ArrowRecordBatch: &storagepb.ArrowRecordBatch{
				SerializedRecordBatch: data}},
			Stats: &storagepb.StreamStats{Progress: &storagepb.StreamStats_Progress{
				AtResponseStart: 0, AtResponseEnd: float64(total) / float64(max(1, r[1]-r[0]))}},
		})
	})
	if err != nil {
		if _, ok := status.FromError(err); ok {
			return err
		}
		return status.Errorf(codes.Internal, "bqtest: read %s: %v", name, err)
	}
	return nil
}

// storageField is f as the Storage Read API types it: NUMERIC at (38,9),
// JSON and GEOGRAPHY as strings.
func storageField(f *field) *field {
	c := *f
	switch strings.ToUpper(c.Type) {
	case "NUMERIC", "DECIMAL":
		c.Precision, c.Scale = "", ""
	case "JSON", "GEOGRAPHY":
		c.Type = "STRING"
	}
	if len(c.Fields) > 0 {
		c.Fields = make([]*field, len(f.Fields))
		for i, sub := range f.Fields {
			c.Fields[i] = storageField(sub)
		}
	}
	c.Mode = strings.ToUpper(c.Mode)
	if c.Mode == "REQUIRED" {
		c.Mode = ""
	}
	return &c
}

func grpcCode(httpCode int) codes.Code {
	switch httpCode {
	case 400:
		return codes.InvalidArgument
	case 403:
		return codes.PermissionDenied
	case 404:
		return codes.NotFound
	case 409:
		return codes.AlreadyExists
	case 429:
		return codes.ResourceExhausted
	case 503:
		return codes.Unavailable
	}
	return codes.Internal
}

func (s *Server) location(ds string) string {
	if d, err := s.lookupDataset(ds); err == nil && d.Location != "" {
		return d.Location
	}
	return "US"
}

// storageState is the Storage Read API's part of Server.
type storageState struct {
	grpc          *grpc.Server
	grpcLis       net.Listener
	streamRows    int
	sessions      map[string]*readSession
	storageFaults []storageFault
	anons         []string
}
