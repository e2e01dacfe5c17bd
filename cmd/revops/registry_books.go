package main

import (
	"context"

	"github.com/revops/revops/configs"
	revsync "github.com/revops/revops/sync"
	synczohobooks "github.com/revops/revops/sync/zohobooks"
	synczohoprojects "github.com/revops/revops/sync/zohoprojects"
)

// The zoho_books and zoho_projects sources: sync destinations only (Books
// customers, Projects onboarding projects), nothing to extract. Neither
// is deleted into: Books customers carry invoices, and an onboarding
// project outlives the deal's later stages.
func init() {
	sources["zoho_books"] = func() any { return &synczohobooks.Options{} }
	sources["zoho_projects"] = func() any { return &synczohoprojects.Options{} }
	destinations["zoho_books"] = func(ctx context.Context, s configs.Source, w wiring) (revsync.Destination, error) {
		o := &synczohobooks.Options{}
		if err := s.Options.Decode(o); err != nil {
			return nil, err
		}
		o.TokenCacheDir = w.tokenCache
		return synczohobooks.New(ctx, o.ClientConfig(w.log), o.CustomFields, w.log)
	}
	destinations["zoho_projects"] = func(ctx context.Context, s configs.Source, w wiring) (revsync.Destination, error) {
		o := &synczohoprojects.Options{}
		if err := s.Options.Decode(o); err != nil {
			return nil, err
		}
		o.TokenCacheDir = w.tokenCache
		return synczohoprojects.New(ctx, o.ClientConfig(w.log), w.log)
	}
	destinationObjects["zoho_books"] = []string{"contacts"}
	destinationObjects["zoho_projects"] = []string{"projects"}
	neverDeletes["zoho_books"] = true
	neverDeletes["zoho_projects"] = true
}
