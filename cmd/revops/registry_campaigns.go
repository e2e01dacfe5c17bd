package main

import (
	"context"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zohocampaigns"
)

// The zoho_campaigns source: Zoho Campaigns engagement (extract only; no
// sync destination).
func init() {
	sources["zoho_campaigns"] = func() any { return &zohocampaigns.Options{} }
	extractors["zoho_campaigns"] = func(ctx context.Context, s configs.Source, w wiring) (extract.Extractor, error) {
		o := &zohocampaigns.Options{}
		if err := s.Options.Decode(o); err != nil {
			return nil, err
		}
		o.TokenCacheDir = w.tokenCache
		return zohocampaigns.New(ctx, s.Name, o, w.log)
	}
}
