// Package sqlfiles embeds the SQL models revops ships: staging/ (one view
// per raw object: snake_case columns, typed, deleted rows filtered), core/
// (one vocabulary for both CRMs and Zoho Desk), metrics/ (tables for BI
// dashboards) and tests/ (custom data tests returning failing rows).
package sqlfiles

import "embed"

// FS holds the shipped model files, rooted at this directory
// (staging/stg_salesforce__lead.sql, core/deals.sql, ...).
//
//go:embed staging core metrics tests syncs identity
var FS embed.FS
