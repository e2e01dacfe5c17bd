package configs

import (
	_ "embed"
	"fmt"
	"strings"
)

// Starter is the commented config `revops init` writes.
//
//go:embed starter.yaml
var Starter string

// starterWarehouses are the commented `warehouse:` sections of
// `revops init --warehouse <type>`, in place of the starter's DuckDB one.
var starterWarehouses = map[string]string{
	"bigquery": `warehouse:
  type: bigquery
  project: ${BIGQUERY_PROJECT}      # the Google Cloud project id (e.g. acme-analytics)
  dataset_prefix: revops_           # datasets revops_salesforce, revops_core, revops__revops, ...
  location: ${BIGQUERY_LOCATION:-US}   # where revops creates its datasets (US, EU or a region)
  # credentials_file: bq-key.json   # a service-account key (JSON); left out, revops uses
  #                                 # application default credentials (gcloud auth, workload identity)
  # The account needs BigQuery Data Editor and Job User on the project (or Data Owner
  # on datasets you create beforehand: revops then says which one it may not create).
`,
	"snowflake": `warehouse:
  type: snowflake
  account: ${SNOWFLAKE_ACCOUNT}     # the account identifier, <org>-<account> (e.g. myorg-myaccount)
  user: ${SNOWFLAKE_USER:-REVOPS}
  # Key-pair (JWT) login: an unencrypted PKCS#8 RSA key whose public half is set on the
  # user (ALTER USER ... SET RSA_PUBLIC_KEY). Or a password instead: set one of the two.
  private_key_file: ${SNOWFLAKE_PRIVATE_KEY_FILE:-revops_key.p8}
  # password: ${SNOWFLAKE_PASSWORD}
  role: REVOPS_ROLE                 # a role that may create schemas in the database
  warehouse: REVOPS_WH              # the virtual warehouse that runs revops's statements
  database: REVOPS                  # revops's schemas (salesforce, core, _revops, ...) live here
`,
}

// StarterWarehouses lists the types StarterFor writes a section for.
var StarterWarehouses = []string{"duckdb", "bigquery", "snowflake"}

// StarterFor returns the starter config with the commented `warehouse:`
// section of the named type (duckdb, bigquery or snowflake; "" is
// duckdb).
func StarterFor(warehouse string) (string, error) {
	if warehouse == "" || warehouse == "duckdb" {
		return Starter, nil
	}
	sec, ok := starterWarehouses[warehouse]
	if !ok {
		return "", fmt.Errorf("warehouse %q (want %s)", warehouse, strings.Join(StarterWarehouses, ", "))
	}
	start := strings.Index(Starter, "\nwarehouse:\n")
	if start < 0 {
		return "", fmt.Errorf("starter: no warehouse section")
	}
	start++
	end := strings.Index(Starter[start:], "\n\n")
	if end < 0 {
		return "", fmt.Errorf("starter: the warehouse section does not end")
	}
	return Starter[:start] + sec + Starter[start+end+1:], nil
}
