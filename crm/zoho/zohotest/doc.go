// Package zohotest is an in-process emulator of Zoho CRM v8, Zoho Desk v1
// and the Zoho accounts (OAuth) server, in the manner of net/http/httptest:
// http.Handlers over an in-memory store, faithful to the reference sheet
// (shared/reference/zoho-api.md) in paths, field API names, JSON envelopes,
// status codes and error bodies, so that real client libraries work against
// it unchanged (scripts/zoho/run.sh runs Zoho's own Node SDK against it).
// Go tests start it with Start; `revops sandbox` serves the handlers on
// loopback. The package does not import testing.
//
// # What it serves
//
//   - Accounts: POST /oauth/v2/token (refresh_token, authorization_code,
//     client_credentials), /oauth/v2/token/revoke, GET /oauth/v2/auth (auto
//     consent). Failures are HTTP 200 {"error":…}. Other data centers'
//     accounts servers sit under /accounts/{dc}/ (or AccountsHandlerFor) and
//     know no client. Ten access tokens per refresh token per ten minutes.
//   - CRM under /crm/v8: records list/get/insert/update/upsert/delete,
//     /{module}/deleted, /{module}/search, /{module}/actions/count, /coql,
//     /{module}/{id}/Notes, /Deals/{id}/Stage_History, /settings/modules,
//     /settings/fields (GET; POST creates custom fields, DELETE removes
//     one), /settings/layouts[/{id}], /settings/pipeline, /users, /org;
//     Bulk Read under /crm/bulk/v8/read (jobs, state, zipped CSV results;
//     see bulkread.go for the choices made where the sheet is silent).
//   - Desk under /api/v1: tickets, contacts, accounts (lists, get, search),
//     ticket create (POST) and update (PATCH), ticketsCount, contactsByIds,
//     organizations.
//
// Every request goes through the shared sandbox middleware (systems
// "zoho_accounts", "zoho_crm", "zoho_desk"); CRM endpoints are counted by
// route with the module's API name kept and ids as {id}, e.g.
// "/crm/v8/Leads/{id}", "/crm/bulk/v8/read/{id}/result".
//
// # Choices where the sheet is unconfirmed
//
//   - GET of an unknown record id: 204. Write batches: 201 (insert, or an
//     upsert that only inserted), 200 (update, upsert with updates), 207
//     mixed, 400 when every record failed (with the data array).
//   - Upsert matching a non-unique field held by several records updates
//     the oldest (lowest id). Unknown and read-only fields in writes are
//     ignored; text values must be strings, numbers JSON numbers.
//   - The lock_row fault fails the named records (the first of the batch
//     when none are named) with RECORD_LOCKED, Zoho's closest equivalent of
//     Salesforce's UNABLE_TO_LOCK_ROW; expire_token answers INVALID_TOKEN
//     (CRM) or INVALID_OAUTH (Desk).
//   - Modified_Time is the clock (Options.Now) of the write in whole
//     seconds, so writes in one second share it; lists sorted by
//     Modified_Time order ties by id. Datetimes are written in
//     Options.TimeZone (default +05:30).
//   - Each module has one layout, "Standard" (api_name Standard__s),
//     holding every field; its fields carry "required". A new org's
//     defaults star Leads Company and Deals Closing_Date and Account_Name
//     (SetLayoutRequired changes them). Writes check layout-mandatory
//     fields only for records that send Layout.id (inserts must give
//     them, updates may not clear them), or on every insert with
//     Options.StrictLayout.
//   - Custom fields created through the API: at most 5 per call, answered
//     201 (207 mixed, 400 when none was created); the API name is made
//     from the label (APIName); fields land in the layout's first
//     section; formula fields are not evaluated (they read as null).
//   - Stage_History entries carry Stage, Amount, Probability,
//     Expected_Revenue, Closing_Date, Modified_By, Modified_Time and
//     Duration_Days, newest first; fields is optional there.
//   - Search needs ZohoSearch.securesearch.READ besides the module scope,
//     COQL ZohoCRM.coql.READ plus module READ and settings fields READ (as
//     the sheet lists them). DefaultScopes holds all of them.
//   - Own 429s (credits, concurrency) carry no Retry-After; injected 429
//     faults do. X-API-CREDITS-REMAINING is sent once half of the daily
//     credits are used.
//   - Desk list from is 1-based, and 0 is read as 1; an empty page is
//     200 {"data":[]}; search from is 0-based and answers
//     {"data":[…],"count":N}. A missing orgId is 422 UNPROCESSABLE_ENTITY, a
//     wrong one 403 FORBIDDEN, bad values 422 INVALID_DATA with an errors
//     list.
package zohotest
