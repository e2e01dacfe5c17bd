// Package models is the model engine of revops: analysts write SQL files,
// and models turns them into tables and views in dependency order, with
// data tests, on any warehouse that implements load.Materializer.
//
// # Files
//
// A model is a .sql file holding one SELECT. Its relation is
// <folder>.<file name>: sql/core/deals.sql builds core.deals. The shipped
// models (package sqlfiles, embedded in the binary) come first; each
// user model path adds to them, and a user model with the relation of a
// shipped one replaces it (the project reports it in Overrides). Files in
// a folder named tests are custom data tests; CSV files in a folder named
// seeds are seeds.
//
// # Header
//
// Leading comment lines configure the model; the header ends at the first
// line that is neither blank nor a `--` comment, and comments that are not
// `config:` or `test:` are ignored:
//
//	-- config: materialized=incremental; unique_key=account_id,day; tags=daily,finance
//	-- test: unique account_id,day
//	-- test: not_null account_id
//	-- test: accepted_values stage: open,won,lost
//	-- test: relationships account_id -> core.accounts.account_id; severity=warn
//
// materialized is view, table, incremental or transform (default view in
// a folder named staging, table elsewhere); unique_key is required for
// incremental, transform=<name> for transform. A transform model's
// SELECT rows pass through a Go function the program registers under
// that name (Project.RegisterTransform) and what it returns lands as the
// model's table, swapped in atomically like a table: Go where SQL cannot
// do it well (parsing, phonetic codes, model fitting), on any warehouse
// that can run a query and land Arrow batches. Unknown keys, tests or malformed values are errors naming
// file and line. The side-file alternative (YAML) is not supported: the
// header keeps a model's settings in the file an analyst edits.
//
// A test line may end with options after a semicolon, key=value like
// config's; the one option is severity: error (the default) or warn. A
// test of severity error that finds rows fails (status fail): the build
// fails and Result.Blocked blocks what reads the model. A test of
// severity warn that finds rows only warns (status warn): for the quality
// of data people enter in the CRMs (an optional field left empty, a
// picklist value no seed maps, a reference to a deleted record). A custom
// test sets its severity in its own header: `-- config: severity=warn`
// (beside tags). Because of the semicolon, accepted_values cannot list a
// value that holds one.
//
// # Broken files
//
// A problem in a file stays with that file. A model whose header,
// template, refs or seed rows are wrong, or that is in a dependency cycle,
// is loaded as broken (Model.Error): a build reports it failed, with the
// file and line, and skips the models that ref it, naming it; every other
// model builds, compiles and tests as usual. A broken custom test (or a
// relationships test to no model) reports its error when tests run. A
// file that is no model (outside a folder, a name that is no relation) is
// left out and reported. Project.Problems lists all of them.
//
// # Templates
//
// The SQL is a Go text/template with these functions:
//
//	{{ ref "core.deals" }} or {{ ref "deals" }}   another model or seed (short names when unique)
//	{{ source "salesforce" "lead" }}              a landed table
//	{{ source_exists "zoho_crm" "leads" }}        true when that table exists (true when planning offline)
//	{{ var "name" }} / {{ var "name" "default" }} models.vars from revops.yaml
//	{{ this }}                                    the model's own relation
//	{{ is_incremental }}                          the relation exists, is incremental, no --full-refresh
//	{{ datediff "day" "a" "b" }}                  day | hour | week | month
//	{{ date_trunc "week" "x" }}                   hour | day | week | month | quarter | year
//	{{ similarity "a" "b" }}                      0..1 (Jaro-Winkler where the warehouse has it)
//	{{ regexp_matches "x" "'pattern'" }}
//	{{ regexp_replace "x" "'pattern'" "'repl'" }}
//	{{ safe_cast "x" "double" }}                  bigint | double | varchar | date | timestamp | boolean
//	{{ cast "NULL" "varchar" }}                   a cast to the same portable types (typed NULLs too)
//	{{ median "x" }}                              the median aggregate
//	{{ field "Owner" "id" }}                      the text of a landed struct's field (a Zoho lookup)
//	{{ hash "a" "b" }}                            stable hex string
//	{{ now }}
//
// The warehouse renders the dialect functions (load.Macros); this
// package never switches on a dialect. ref and source build the DAG: a
// first render with recording functions (every source existing, and for
// incremental models both values of is_incremental) finds the
// dependencies; unknown or ambiguous refs and cycles are errors naming
// file and line (the model is broken, see above).
//
// # Runs
//
// A model whose source table is missing is skipped (reported, not
// failed), and so is a model that refs a skipped model in what it
// rendered: a model that guards a ref with source_exists still builds. A
// model that fails marks the models that depend on it skipped; the others
// still build. Each model's run is recorded in _revops.runs (stage
// "build"). Tests end pass, warn, fail, error (the test could not run) or
// skipped; Result.Failed is true for a failed model and for a test that
// failed or could not run, not for warnings. Result.Blocked tells a caller
// (revops run, before each sync) whether a relation it is about to read
// is safe: nothing it reads, directly or upstream, failed, and none of
// their tests of severity error failed.
//
// # Seeds
//
// CSV files load into seeds.<file name>, replaced whole on every build
// (an atomic table swap). Columns are VARCHAR unless the header cell is
// name:type with a type safe_cast knows. A bad row is an error naming
// file and line, found when the project loads, before anything is written.
package models
