// Package soak holds the soak suite (its tests are the whole package): it
// runs the real revops binary against the sandbox emulators, kills it
// with SIGKILL at seeded moments while the emulators inject faults, lets
// it converge, and checks that nothing was lost, nothing was written
// twice and no failure was hidden.
//
// `go test ./soak/` (part of `make test`) runs the short soak: about 2,000
// records per system, a few kills per stage. `make soak` runs the full one
// (REVOPS_SOAK=full, or -soak.full): about 20,000 records per system and
// at least 15 kills per stage. REVOPS_SOAK_SEED (or -soak.seed) repeats a
// soak's world, changes, faults and kill moments; REVOPS_SOAK_BIN runs a
// given revops binary instead of building ./cmd/revops; REVOPS_SOAK_KEEP=DIR
// keeps the project, the DuckDB file and every process's log under DIR.
//
// The soak:
//
//  1. serves the emulators in-process, behind a tap that attributes every
//     request to the revops process that sent it, reads every write answer,
//     and can kill the process at the n-th page it reads or right after
//     the n-th write was answered;
//  2. writes a project with five syncs, one per mode and path: upsert into
//     Salesforce through sObject Collections, upsert into Salesforce
//     through Bulk API 2.0 (the first run sends more than 10,000 rows),
//     update by record id, mirror (delete) into Zoho, insert into Zoho;
//  3. killing phase: epoch after epoch it changes the world through the
//     APIs (creates, updates, deletes in both CRMs, account renames), then
//     runs extract, sync and run with faults on (about 12-13% of requests:
//     429 with Retry-After, 500, 503, dropped connections, expired
//     tokens), killing most processes: during the first full read, right
//     after a write (and right after a Bulk ingest step), after a random
//     delay;
//  4. converge phase: extract, build and sync with no fault and no kill
//     until a round lands nothing and sends nothing;
//  5. checks, counting the emulators' records through their APIs: every
//     landed table equals the API's records (no duplicate ids, current
//     versions and lookup names, deletions marked with their last values,
//     sound history tables and stage history); every sync row is written
//     exactly once with the model's values; no failure or in-flight create
//     is left; the run history accounts for every write (the rule is on
//     checker.runHistory); no run is left running; no temporary object is
//     left in the warehouse;
//  6. prints kills per stage, faults injected, extra calls against a clean
//     run of the same world and changes (REVOPS_SOAK_REFERENCE=on for the
//     short soak; the full one always runs it), time to converge, records
//     lost and duplicated.
//
// The project the soak writes sets lookback: 5s (its runs follow each
// other within seconds; the emulators stamp every write with the time it
// is made) and, for Zoho CRM, formula_refresh: 20s: an account renamed
// changes its deals' and contacts' lookup names without moving their
// Modified_Time, so extract sees it on its periodic whole read, and the
// converge phase lasts until one was due after the last change.
//
// The tap cannot read the answer of a request a drop fault cut (the
// sandbox middleware hijacks the connection and writes half of it), so the
// records such writes wrote are in no figure; the next run finds those
// creates by their key.
package soak
