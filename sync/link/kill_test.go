//go:build duckdb_arrow

package link_test

import "strings"

const helperEnv = "REVOPS_LINK_HELPER"

func helperRun() {}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
