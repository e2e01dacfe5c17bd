package configs

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// BigQuery is the `warehouse:` section of `type: bigquery`:
//
//	warehouse:
//	  type: bigquery
//	  project: acme-analytics        # the Google Cloud project
//	  dataset_prefix: revops_        # datasets revops_salesforce, revops_core, revops__revops, ...
//	  location: EU                   # where datasets are created (default US)
//	  credentials_file: bq-key.json  # a service-account key; omit for application default credentials
//
// credentials_file is read like every `*_file` secret: its contents
// arrive in Credentials and never reach a log or an error.
type BigQuery struct {
	// Project is the Google Cloud project id.
	Project string `yaml:"project"`
	// DatasetPrefix is prepended to each revops schema to name its dataset.
	DatasetPrefix string `yaml:"dataset_prefix"`
	// Location is where datasets are created ("US" when empty).
	Location string `yaml:"location"`
	// Credentials is a service-account key (JSON), usually given as
	// credentials_file; empty means application default credentials.
	Credentials string `yaml:"credentials"`
	// Endpoint points the client at an emulator of the REST API (its base
	// URL, e.g. http://127.0.0.1:9050); requests then carry no credentials.
	// For tests and demos only.
	Endpoint string `yaml:"endpoint"`
	// StorageRead reads large query results through the Storage Read API
	// (default true); false reads every result through REST pages.
	StorageRead *bool `yaml:"storage_read"`
	// StorageEndpoint is the host:port of an emulator of the Storage Read
	// API (gRPC without TLS or credentials). For tests and demos only.
	StorageEndpoint string `yaml:"storage_endpoint"`
}

var (
	bqProjectRE = regexp.MustCompile(`^([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	bqPrefixRE  = regexp.MustCompile(`^[A-Za-z0-9_]*$`)
)

// Validate checks the section without touching the network.
func (b BigQuery) Validate() error {
	switch {
	case b.Project == "":
		return errors.New("project: required (the Google Cloud project id, e.g. acme-analytics)")
	case !bqProjectRE.MatchString(b.Project):
		return fmt.Errorf("project: %q is not a Google Cloud project id (6-30 lower-case letters, digits and -, starting with a letter)", b.Project)
	case !bqPrefixRE.MatchString(b.DatasetPrefix):
		return fmt.Errorf("dataset_prefix: %q may hold only letters, digits and _", b.DatasetPrefix)
	case b.Endpoint != "" && !strings.HasPrefix(b.Endpoint, "http://") && !strings.HasPrefix(b.Endpoint, "https://"):
		return fmt.Errorf("endpoint: %q is not an http(s) URL (an emulator's base URL)", b.Endpoint)
	case b.StorageEndpoint != "" && (strings.Contains(b.StorageEndpoint, "://") || !strings.Contains(b.StorageEndpoint, ":")):
		return fmt.Errorf("storage_endpoint: %q is not host:port (an emulator's gRPC address)", b.StorageEndpoint)
	}
	return nil
}
