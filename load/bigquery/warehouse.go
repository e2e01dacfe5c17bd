package bigquery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/revops/revops/load"
)

// Options configure a BigQuery warehouse.
type Options struct {
	// Project is the Google Cloud project that holds the datasets and runs
	// the jobs.
	Project string
	// DatasetPrefix is prepended to every revops schema to name its
	// dataset: schema raw with prefix "acme_" lands in dataset acme_raw,
	// the state in acme__revops.
	DatasetPrefix string
	// Location is where datasets are created ("US" when empty).
	Location string
	// Credentials is a service-account key (the JSON text, which the
	// config reads from credentials_file); empty means application
	// default credentials.
	Credentials string
	// Endpoint is the base URL of an emulator of the REST API (bqtest):
	// the client sends its requests there, without credentials. Empty
	// means the service.
	Endpoint string
	// ClientOptions are passed to the client after the ones above (tests
	// point the client at an emulator with them).
	ClientOptions []option.ClientOption
	// DisableStorageRead reads every query result through REST pages
	// (tabledata) instead of the Storage Read API.
	DisableStorageRead bool
	// StorageEndpoint is the host:port of an emulator of the Storage Read
	// API (bqtest's StorageAddr), reached without TLS or credentials.
	// With Endpoint or ClientOptions set and StorageEndpoint empty, results
	// are read through REST pages (the service is never dialled then).
	StorageEndpoint string
	// Logger receives the warnings of storage reads falling back to REST
	// (slog.Default() when nil).
	Logger *slog.Logger
}

// Validate checks the options without touching the network.
func (o Options) Validate() error {
	if o.Project == "" {
		return errors.New("project: required (the Google Cloud project id)")
	}
	if o.DatasetPrefix != "" && !prefixOK(o.DatasetPrefix) {
		return fmt.Errorf("dataset_prefix: %q may hold only letters, digits and _", o.DatasetPrefix)
	}
	if o.Credentials != "" {
		var key struct {
			Type string `json:"type"`
		}
		// The key's contents never reach an error.
		if err := json.Unmarshal([]byte(o.Credentials), &key); err != nil {
			return errors.New("credentials: not a JSON service-account key")
		}
		if key.Type != "service_account" {
			return fmt.Errorf("credentials: a key of type %q; want a service-account key (type service_account)", key.Type)
		}
	}
	return nil
}

func prefixOK(p string) bool {
	for _, c := range p {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Warehouse is a BigQuery project used as the revops warehouse: one
// dataset per revops schema, Parquet load jobs for landings, MERGE in a
// multi-statement transaction for rows and state.
type Warehouse struct {
	client   *bq.Client
	reader   *bq.Client // reads query results through the Storage Read API; nil when off
	log      *slog.Logger
	project  string
	prefix   string
	location string
	token    string

	mu       sync.Mutex
	tables   map[string]*sync.Mutex
	datasets map[string]bool // created or seen
	seq      uint64
	last     LandingFigures
	state    map[string]StateTable // the state tables created through Exec, by lower-case schema.table

	storageOff     atomic.Bool // the Storage Read API was refused
	storageQueries int         // results read through it
}

var (
	_ load.Warehouse    = (*Warehouse)(nil)
	_ load.Materializer = (*Warehouse)(nil)
)

// Open connects to BigQuery and makes sure the _revops state dataset and
// tables exist. Wrong credentials or project fail here with an error
// naming the setting.
func Open(ctx context.Context, o Options) (*Warehouse, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("bigquery: %w", err)
	}
	var copts []option.ClientOption
	if o.Credentials != "" {
		copts = append(copts, option.WithAuthCredentialsJSON(option.ServiceAccount, []byte(o.Credentials)))
	}
	if o.Endpoint != "" {
		copts = append(copts, option.WithEndpoint(strings.TrimSuffix(o.Endpoint, "/")+"/"), option.WithoutAuthentication())
	}
	copts = append(copts, o.ClientOptions...)
	c, err := bq.NewClient(ctx, o.Project, copts...)
	if err != nil {
		if o.Credentials != "" {
			return nil, fmt.Errorf("bigquery: credentials: the service-account key was refused: %w", err)
		}
		return nil, fmt.Errorf("bigquery: connect (application default credentials; set credentials_file to use a key file): %w", err)
	}
	if o.Location == "" {
		o.Location = "US"
	}
	var tok [4]byte
	_, _ = rand.Read(tok[:])
	w := &Warehouse{client: c, project: o.Project, prefix: o.DatasetPrefix, location: o.Location,
		token: hex.EncodeToString(tok[:]), tables: map[string]*sync.Mutex{}, datasets: map[string]bool{}, log: logger(o.Logger)}
	if err := w.ensureState(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	w.reader = w.openReader(ctx, o, copts)
	return w, nil
}

// Dialect returns "bigquery".
func (w *Warehouse) Dialect() string { return "bigquery" }

// Project returns the project id.
func (w *Warehouse) Project() string { return w.project }

// Dataset returns the dataset that holds revops schema s.
func (w *Warehouse) Dataset(s string) string { return w.prefix + s }

// Close closes the client.
func (w *Warehouse) Close() error {
	if w.reader != nil {
		if err := w.reader.Close(); err != nil {
			_ = w.client.Close()
			return fmt.Errorf("bigquery: close storage read client: %w", err)
		}
	}
	if err := w.client.Close(); err != nil {
		return fmt.Errorf("bigquery: close: %w", err)
	}
	return nil
}

// relation renders a table as `dataset`.`table`.
func (w *Warehouse) relation(t load.Table) string {
	return quote(w.Dataset(t.Schema)) + "." + quote(t.Name)
}

func (w *Warehouse) tableLock(t load.Table) *sync.Mutex {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := strings.ToLower(t.String())
	m, ok := w.tables[key]
	if !ok {
		m = &sync.Mutex{}
		w.tables[key] = m
	}
	return m
}

func (w *Warehouse) nextName(prefix string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return fmt.Sprintf("%s%s_%d", prefix, w.token, w.seq)
}

// Names of what landings and builds create for their own use.
const (
	stagePrefix = "_revops_stage_"
	modelPrefix = "_revops_model_"
	seqColumn   = "_revops_seq"
)

// ensureDataset creates the dataset of schema s unless it exists. A
// dataset the credentials may not create fails with an error saying so.
func (w *Warehouse) ensureDataset(ctx context.Context, s string) error {
	ds := w.Dataset(s)
	w.mu.Lock()
	ok := w.datasets[ds]
	w.mu.Unlock()
	if ok {
		return nil
	}
	err := w.client.Dataset(ds).Create(ctx, &bq.DatasetMetadata{Location: w.location})
	if err != nil && !hasStatus(err, http.StatusConflict) {
		if hasStatus(err, http.StatusForbidden) {
			return fmt.Errorf("bigquery: dataset %s does not exist and may not be created with these credentials (create it, or grant bigquery.datasets.create): %w", ds, err)
		}
		return fmt.Errorf("bigquery: create dataset %s: %w", ds, err)
	}
	w.mu.Lock()
	w.datasets[ds] = true
	w.mu.Unlock()
	return nil
}

func hasStatus(err error, code int) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == code
}

// stateTables are the _revops tables this engine creates (other stages
// create theirs through Exec).
var stateTables = map[string]bq.Schema{
	"runs": {
		{Name: "id", Type: bq.StringFieldType, Required: true},
		{Name: "stage", Type: bq.StringFieldType, Required: true},
		{Name: "target", Type: bq.StringFieldType},
		{Name: "started_at", Type: bq.TimestampFieldType, Required: true},
		{Name: "finished_at", Type: bq.TimestampFieldType},
		{Name: "status", Type: bq.StringFieldType, Required: true},
		{Name: "rows_read", Type: bq.IntegerFieldType},
		{Name: "rows_written", Type: bq.IntegerFieldType},
		{Name: "error", Type: bq.StringFieldType},
		{Name: "process", Type: bq.StringFieldType},
		{Name: "parent_id", Type: bq.StringFieldType},
		{Name: "api_calls", Type: bq.IntegerFieldType},
		{Name: "detail", Type: bq.StringFieldType},
	},
	"cursors": {
		{Name: "source", Type: bq.StringFieldType, Required: true},
		{Name: "object", Type: bq.StringFieldType, Required: true},
		{Name: "value", Type: bq.StringFieldType},
		{Name: "updated_at", Type: bq.TimestampFieldType, Required: true},
	},
}

func (w *Warehouse) ensureState(ctx context.Context) error {
	if err := w.ensureDataset(ctx, load.StateSchema); err != nil {
		if hasStatus(err, http.StatusNotFound) {
			return fmt.Errorf("bigquery: project %s not found (check project): %w", w.project, err)
		}
		return err
	}
	for _, name := range []string{"runs", "cursors"} {
		t := w.client.Dataset(w.Dataset(load.StateSchema)).Table(name)
		err := t.Create(ctx, &bq.TableMetadata{Schema: stateTables[name]})
		if err != nil && !hasStatus(err, http.StatusConflict) {
			return fmt.Errorf("bigquery: create state table %s.%s: %w", w.Dataset(load.StateSchema), name, err)
		}
	}
	return nil
}

// LandingFigures count what one landing cost: the jobs it ran, the bytes
// it uploaded and the SQL statements its jobs held.
type LandingFigures struct {
	Jobs       int
	Statements int
	Bytes      int64
	Rows       int64
	Duration   time.Duration
}

// LastLanding returns the figures of the landing that finished last.
func (w *Warehouse) LastLanding() LandingFigures {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}
