// Package sync is the reverse-ETL engine: sync specs, the diff of a sync
// model against what was last written, field mapping and validation against
// the destination's metadata, batching, per-row results and the run log.
//
// Importers alias it revsync, since it shadows the standard library's sync.
//
// Destinations (Salesforce, Zoho CRM) implement Destination in their own
// packages (sync/salesforce, sync/zoho); cmd/revops wires them from one
// explicit table.
package sync
