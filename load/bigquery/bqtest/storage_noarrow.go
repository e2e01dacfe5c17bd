//go:build !duckdb_arrow

package bqtest

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var errNoArrow = status.Error(codes.Unimplemented, "bqtest: built without -tags duckdb_arrow: the Storage Read API needs DuckDB's Arrow interface")

func (s *Server) arrowSchema(context.Context, string) ([]byte, error) { return nil, errNoArrow }

func (s *Server) arrowBatches(context.Context, string, func([]byte, int64) error) error {
	return errNoArrow
}
