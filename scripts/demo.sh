#!/usr/bin/env bash
# make demo: everything revops has today, end to end, against the sandbox
# emulators on loopback and a DuckDB warehouse on disk. Each step prints a
# line or a few; every command's details (-v) and the API answers go to
# $DEMO_DIR/demo.log. The demo ends with a summary.
set -eEuo pipefail

REVOPS=${REVOPS:-bin/revops}
DEMO_DIR=${DEMO_DIR:-.demo}
RECORDS=${RECORDS:-2000}

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
DEMO_ABS=$(cd "$DEMO_DIR" && pwd)
LOG="$DEMO_DIR/demo.log"
CFG="$DEMO_DIR/revops.yaml"
: >"$LOG"
START=$SECONDS
trap 'echo "make demo failed; the end of $LOG:" >&2; tail -n 15 "$LOG" >&2' ERR

step() {
	printf '\033[1m== %s\033[0m\n' "$*"
	printf '\n== %s\n' "$*" >>"$LOG"
}
# show CMD...: run a revops command; its output is printed (indented) and
# logged, its stderr only logged.
show() {
	printf '$ %s\n' "$*" >>"$LOG"
	"$@" 2>>"$LOG" | tee -a "$LOG"
}
# detail CMD...: run a command for the log only.
detail() {
	printf '$ %s\n' "$*" >>"$LOG"
	"$@" >>"$LOG" 2>&1
}
# capture VAR CMD...: run a command, log its output and keep it in VAR.
capture() {
	local var=$1
	shift
	printf '$ %s\n' "$*" >>"$LOG"
	local out
	out=$("$@" 2>>"$LOG")
	printf '%s\n' "$out" >>"$LOG"
	printf -v "$var" '%s' "$out"
}
# outcome VAR CMD...: like capture, but a failure (exit 1: a run or a link
# with failed rows) is shown in the output instead of stopping the demo.
outcome() {
	local var=$1
	shift
	printf '$ %s\n' "$*" >>"$LOG"
	local out rc=0
	out=$("$@" 2>>"$LOG") || rc=$?
	[ "$rc" -le 1 ] || { echo "$* exited $rc" >&2; exit "$rc"; }
	[ "$rc" -eq 0 ] || out="$out"$'\n'"(exit $rc: see $LOG)"
	printf '%s\n' "$out" >>"$LOG"
	printf -v "$var" '%s' "$out"
}
say() { printf '%s\n' "$*" | tee -a "$LOG"; }
json_field() { # json_field KEY: first "KEY":"value" on stdin
	sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}
json_number() { # json_number KEY: first "KEY":number on stdin
	sed -n "s/.*\"$1\":\\([0-9.]*\\).*/\\1/p" | head -n 1
}
q() { "$REVOPS" query --config "$CFG" "$@" 2>>"$LOG"; }

printf 'revops demo: sandbox emulators on loopback, DuckDB in %s; details in %s\n' "$DEMO_DIR" "$LOG"

step "1. Sandbox: Salesforce, Zoho CRM, Desk, Campaigns, Books and Projects emulators, one seeded world ($RECORDS records each)"
"$REVOPS" sandbox --records "$RECORDS" --seed 42 --log-level info \
	--write-config "$CFG" --truth "$DEMO_DIR/truth.csv" --state "$DEMO_DIR/sandbox-state" \
	>"$DEMO_DIR/sandbox.json" 2>"$DEMO_DIR/sandbox.log" &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null || true; wait $SANDBOX_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
	[ -s "$DEMO_DIR/sandbox.json" ] && break
	kill -0 $SANDBOX_PID 2>/dev/null || { cat "$DEMO_DIR/sandbox.log"; exit 1; }
	sleep 0.1
done
[ -s "$DEMO_DIR/sandbox.json" ] || { echo "sandbox did not start"; cat "$DEMO_DIR/sandbox.log"; exit 1; }
SEEDED=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$DEMO_DIR/sandbox.log" | head -n 1)
SF_LINE=$(sed 's/.*"salesforce":{\([^}]*\)}.*/\1/' "$DEMO_DIR/sandbox.json")
ZOHO_LINE=$(sed 's/.*"zoho":{\([^}]*\)}.*/\1/' "$DEMO_DIR/sandbox.json")
SF_URL=$(echo "$SF_LINE" | json_field instance_url)
ZOHO_URL=$(echo "$ZOHO_LINE" | json_field api_domain)
say "seeded $SEEDED records · salesforce $SF_URL · zoho $ZOHO_URL"

step "2. Validate the config the sandbox wrote"
show "$REVOPS" validate --config "$CFG"
detail "$REVOPS" validate --config "$CFG" -v

step "3. Talk to the emulators as any client would: OAuth, SOQL, COQL, Desk, Campaigns"
SF_TOKEN=$(curl -sf -X POST "$SF_URL/services/oauth2/token" \
	-d grant_type=refresh_token \
	-d client_id="$(echo "$SF_LINE" | json_field client_id)" \
	-d client_secret="$(echo "$SF_LINE" | json_field client_secret)" \
	-d refresh_token="$(echo "$SF_LINE" | json_field refresh_token)" | json_field access_token)
ZOHO_TOKEN=$(curl -sf -X POST "$ZOHO_URL/oauth/v2/token" \
	-d grant_type=refresh_token \
	-d client_id="$(echo "$ZOHO_LINE" | json_field client_id)" \
	-d client_secret="$(echo "$ZOHO_LINE" | json_field client_secret)" \
	-d refresh_token="$(echo "$ZOHO_LINE" | json_field refresh_token)" | json_field access_token)
ZOHO_ORG=$(echo "$ZOHO_LINE" | json_field org_id)
SOQL=$(curl -sf -G "$SF_URL/services/data/v62.0/query" -H "Authorization: Bearer $SF_TOKEN" \
	--data-urlencode "q=SELECT COUNT() FROM Lead")
COQL=$(curl -sf -X POST "$ZOHO_URL/crm/v8/coql" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' \
	-d '{"select_query":"select Deal_Name, Stage, Amount from Deals where Amount > 0 order by Amount desc limit 3"}')
DESK=$(curl -sf "$ZOHO_URL/api/v1/tickets?limit=2" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" -H "orgId: $ZOHO_ORG")
CAMPAIGNS=$(curl -sf "$ZOHO_URL/api/v1.1/recentcampaigns?resfmt=JSON&sort=desc&fromindex=1&range=1&status=sent" \
	-H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN")
printf 'SOQL: %s\nCOQL: %s\nDesk: %s\nCampaigns: %s\n' "$SOQL" "$COQL" "$DESK" "$CAMPAIGNS" >>"$LOG"
say "Salesforce SOQL: $(echo "$SOQL" | json_number totalSize) leads · Zoho COQL: biggest deal \"$(echo "$COQL" | json_field Deal_Name)\" ($(echo "$COQL" | json_number Amount))"
say "Zoho Desk: ticket \"$(echo "$DESK" | json_field subject)\" ($(echo "$DESK" | json_field status)) · Zoho Campaigns: latest campaign \"$(echo "$CAMPAIGNS" | json_field campaign_name)\""

step "4. Extract every object of the four sources into DuckDB (full run; Books and Projects are only written to)"
capture EXTRACT "$REVOPS" extract --config "$CFG"
printf '%s\n' "$EXTRACT"
detail "$REVOPS" status --config "$CFG" -v

step "5. Change a lead in each CRM through its API, extract again (incremental: the changes)"
LEAD_ID=$(q --json 'SELECT "Id" FROM salesforce.lead ORDER BY "Id" LIMIT 1' | json_field Id)
curl -sf -X PATCH "$SF_URL/services/data/v62.0/sobjects/Lead/$LEAD_ID" -H "Authorization: Bearer $SF_TOKEN" \
	-H 'Content-Type: application/json' -d '{"Title":"Chief Revenue Officer","Status":"Working - Contacted"}'
ZLEAD_ID=$(q --json 'SELECT id FROM zoho_crm.leads ORDER BY id LIMIT 1' | json_field id)
curl -sf -X PUT "$ZOHO_URL/crm/v8/Leads" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"data\":[{\"id\":\"$ZLEAD_ID\",\"Designation\":\"VP Sales\"}]}" >>"$LOG"
show "$REVOPS" extract --config "$CFG"
detail q "SELECT \"Id\", \"Title\", \"Status\", _valid_from, _valid_to FROM salesforce.lead__history WHERE \"Id\" = '$LEAD_ID' ORDER BY _valid_from"
TITLES=$(q --json "SELECT string_agg(\"Title\", ' → ' ORDER BY _valid_from) AS titles FROM salesforce.lead__history WHERE \"Id\" = '$LEAD_ID'" | json_field titles)
say "lead $LEAD_ID in salesforce.lead__history: $TITLES"

step "6. Build the SQL models (staging, core, metrics, identity) and run their data tests"
capture BUILD "$REVOPS" build --config "$CFG" -v
BUILD_LINE=$(printf '%s\n' "$BUILD" | tail -n 1)
say "$BUILD_LINE"
show q "SELECT source_system, sum(deals_won) AS won, sum(deals_closed) AS closed, round(sum(deals_won) / sum(deals_closed), 3) AS win_rate FROM metrics.win_rate GROUP BY ALL ORDER BY 1"
detail q "SELECT source_system, stage, deal_count, round(total_amount) AS total_amount FROM metrics.pipeline_by_stage ORDER BY source_system, stage"

step "7. Reverse ETL: plan the syncs, send the changes to both CRMs, then again (nothing left)"
detail "$REVOPS" sync plan --config "$CFG" --no-build -v
capture PLAN "$REVOPS" sync plan --config "$CFG" --no-build
say "$(printf '%s\n' "$PLAN" | grep '^Plan: ')"
capture SYNC1 "$REVOPS" sync --config "$CFG" --no-build
printf '%s\n' "$SYNC1"
SYNC1_LINE=$(printf '%s\n' "$SYNC1" | grep ' syncs: ' | tail -n 1)
capture SYNC2 "$REVOPS" sync --config "$CFG" --no-build
SYNC2_LINE=$(printf '%s\n' "$SYNC2" | grep ' syncs: ' | tail -n 1)
say "again: $SYNC2_LINE"
detail "$REVOPS" sync history --config "$CFG" -v

step "8. The scheduled job: revops run --every 2s --max-runs 3 (runs never overlap)"
printf '$ %s\n' "$REVOPS run --config $CFG --every 2s --max-runs 3" >>"$LOG"
{ "$REVOPS" run --config "$CFG" --every 2s --max-runs 3 2>>"$LOG" || true; } | tee "$DEMO_DIR/schedule.out"
cat "$DEMO_DIR/schedule.out" >>"$LOG"
SCHED=$(cat "$DEMO_DIR/schedule.out")
RUNS_OK=$(printf '%s\n' "$SCHED" | grep -c ' succeeded in ' || true)

step "8b. Two-way link: a Zoho lead and its Salesforce copy kept equal both ways"
PAIR=$(q --json 'SELECT CAST(z.id AS VARCHAR) AS zid, s."Id" AS sid FROM zoho_crm.leads AS z JOIN salesforce.lead AS s ON s."Zoho_Lead_Id__c" = z.id ORDER BY z.id LIMIT 1')
ZID=$(echo "$PAIR" | json_field zid)
SID=$(echo "$PAIR" | json_field sid)
curl -sf -X PATCH "$SF_URL/services/data/v62.0/sobjects/Lead/$SID" -H "Authorization: Bearer $SF_TOKEN" \
	-H 'Content-Type: application/json' -d '{"Title":"Head of Revenue"}'
curl -sf -X PUT "$ZOHO_URL/crm/v8/Leads" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"data\":[{\"id\":\"$ZID\",\"City\":\"Lisbon\"}]}" >>"$LOG"
say "lead $SID (Salesforce) gets a new Title, $ZID (Zoho) a new City; the plan:"
detail "$REVOPS" extract --config "$CFG"
detail "$REVOPS" link plan --config "$CFG" -v
show "$REVOPS" link plan --config "$CFG" zoho_sf_leads
say "The run (one write each way):"
outcome LINK1 "$REVOPS" link --config "$CFG"
printf '%s\n' "$LINK1"
LINK_LINE=$(printf '%s\n' "$LINK1" | grep ' links: ' | tail -n 1)
detail "$REVOPS" extract --config "$CFG"
outcome LINK2 "$REVOPS" link --config "$CFG"
say "the echoes, after the next extract: $(printf '%s\n' "$LINK2" | grep ' links: ' | tail -n 1 | sed 's/ · .*//')"
curl -sf -X PATCH "$SF_URL/services/data/v62.0/sobjects/Lead/$SID" -H "Authorization: Bearer $SF_TOKEN" \
	-H 'Content-Type: application/json' -d '{"Title":"Chief Revenue Officer"}'
curl -sf -X PUT "$ZOHO_URL/crm/v8/Leads" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"data\":[{\"id\":\"$ZID\",\"Designation\":\"VP Revenue\"}]}" >>"$LOG"
detail "$REVOPS" extract --config "$CFG"
outcome LINK3 "$REVOPS" link --config "$CFG"
say "A conflict: both CRMs change the title; Title is owned by salesforce:"
printf '%s\n' "$LINK3" | grep ': conflict ' || true
detail "$REVOPS" link conflicts --config "$CFG" -v
detail "$REVOPS" extract --config "$CFG"
BOTH=$(q --json "SELECT z.\"Designation\" AS zoho_title, s.\"Title\" AS salesforce_title FROM zoho_crm.leads AS z, salesforce.lead AS s WHERE CAST(z.id AS VARCHAR) = '$ZID' AND s.\"Id\" = '$SID'")
say "now Zoho says \"$(echo "$BOTH" | json_field zoho_title)\", Salesforce \"$(echo "$BOTH" | json_field salesforce_title)\""
detail "$REVOPS" link history --config "$CFG" --limit 10 -v

step "8c. The integration templates the sandbox config enables (configs/links, configs/syncs)"
OPP=$(q --json "SELECT source_id FROM core.deals WHERE source_system = 'salesforce' AND NOT is_closed
	AND amount > 0 AND company_id IN (SELECT golden_id FROM identity.crosswalk WHERE system = 'zoho_crm' AND object = 'Accounts'
	GROUP BY 1 HAVING count(*) = 1) ORDER BY source_id LIMIT 1" | json_field source_id)
ZDEAL=$(q --json "SELECT z.source_id FROM syncs.deal_pairs AS z JOIN syncs.deal_pairs AS s
	ON s.golden_id = z.golden_id AND s.system = 'salesforce' JOIN salesforce.opportunity AS o ON o.\"Id\" = s.source_id
	WHERE z.system = 'zoho_crm' AND o.\"StageName\" NOT LIKE 'Closed%' AND o.\"Id\" <> '$OPP' ORDER BY 1 LIMIT 1" | json_field source_id)
TICKET=$(q --json "SELECT t.source_id FROM core.tickets AS t JOIN identity.crosswalk AS x
	ON x.system = 'salesforce' AND x.object = 'Contact' AND x.golden_id = t.person_id
	JOIN staging.stg_salesforce__contact AS c ON c.contact_id = x.source_id
	WHERE t.source_system = 'zoho_desk' AND t.status_raw = 'Open' AND c.account_id IS NOT NULL ORDER BY 1 LIMIT 1" | json_field source_id)
say "Salesforce opportunity $OPP won, Zoho deal $ZDEAL in Negotiation/Review,"
say "Desk ticket $TICKET escalated; then revops run:"
curl -sf -X PATCH "$SF_URL/services/data/v62.0/sobjects/Opportunity/$OPP" -H "Authorization: Bearer $SF_TOKEN" \
	-H 'Content-Type: application/json' -d '{"StageName":"Closed Won"}'
curl -sf -X PUT "$ZOHO_URL/crm/v8/Deals" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"data\":[{\"id\":\"$ZDEAL\",\"Stage\":\"Negotiation/Review\"}]}" >>"$LOG"
curl -sf -X PATCH "$ZOHO_URL/api/v1/tickets/$TICKET" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H "orgId: $ZOHO_ORG" -H 'Content-Type: application/json' -d '{"status":"Escalated"}' >>"$LOG"
outcome RUN1 "$REVOPS" run --config "$CFG"
printf '%s\n' "$RUN1" | grep -m 1 '^run '
say "Records each template wrote (API calls): first run, second run, the run after those changes:"
show q "WITH r AS (SELECT sync AS template, 'sync' AS kind, started_at, succeeded AS written, api_calls FROM _revops.sync_runs WHERE kind = 'run'
	            UNION ALL
	            SELECT link, 'link', started_at, updated + transitions, api_calls FROM _revops.link_runs WHERE kind = 'run'),
	      n AS (SELECT *, written || ' (' || api_calls || ')' AS cell, row_number() OVER (PARTITION BY template ORDER BY started_at) AS i,
	                   count(*) OVER (PARTITION BY template) AS k FROM r)
	 SELECT kind, template, max(CASE WHEN i = 1 THEN cell END) AS first_run, max(CASE WHEN i = 2 THEN cell END) AS second_run,
	        max(CASE WHEN i = k THEN cell END) AS after_changes
	 FROM n GROUP BY ALL ORDER BY kind, template"
detail "$REVOPS" extract --config "$CFG"
READBACK=$(q --json "SELECT CAST((SELECT count(*) FROM salesforce.task WHERE \"Zoho_Desk_Ticket_Id__c\" = '$TICKET') AS VARCHAR) AS tasks,
	        (SELECT \"StageName\" FROM salesforce.opportunity AS o JOIN syncs.deal_pairs AS s ON s.source_id = o.\"Id\"
	         JOIN syncs.deal_pairs AS z ON z.golden_id = s.golden_id AND z.source_id = '$ZDEAL' LIMIT 1) AS stage,
	        CAST((SELECT count(*) FROM _revops.link_transitions WHERE record_id = '$OPP' AND state = 'fired') AS VARCHAR) AS fired")
say "read back: $(echo "$READBACK" | json_field tasks) task for the ticket · opportunity at \"$(echo "$READBACK" | json_field stage)\" · closed won fired: $(echo "$READBACK" | json_field fired)"
BOOKS_ORG=$(echo "$ZOHO_LINE" | json_field books_organization_id)
PORTAL=$(echo "$ZOHO_LINE" | json_field projects_portal_id)
BOOKS=$(curl -sf "$ZOHO_URL/books/v3/contacts?organization_id=$BOOKS_ORG&per_page=200" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN")
PROJECTS=$(curl -sf "$ZOHO_URL/api/v3/portal/$PORTAL/projects" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN")
printf 'Books: %s\nProjects: %s\n' "$BOOKS" "$PROJECTS" >>"$LOG"
SUITE=$(q --json "SELECT CAST((SELECT count(*) FROM salesforce.opportunity WHERE \"Onboarding_Project_Id__c\" IS NOT NULL) AS VARCHAR) AS linked,
	        CAST((SELECT count(*) FROM salesforce.lead WHERE \"Lead_Score__c\" IS NOT NULL) AS VARCHAR) AS scored,
	        CAST((SELECT count(*) FROM salesforce.task WHERE \"Zoho_Campaigns_Response_Id__c\" IS NOT NULL) AS VARCHAR) AS responses")
say "Zoho Books: $(echo "$BOOKS" | grep -o '"contact_id"' | wc -l | tr -d ' ') customers · Zoho Projects: $(echo "$PROJECTS" | grep -o '"Onboarding' | wc -l | tr -d ' ') onboarding projects, $(echo "$SUITE" | json_field linked) linked on their opportunities"
say "Zoho Campaigns engagement: $(echo "$SUITE" | json_field scored) Salesforce leads scored, $(echo "$SUITE" | json_field responses) responses logged as Tasks"

step "9. Identity: golden records for every person and company across the three systems"
show q "SELECT 'people' AS entity, count(*) AS golden_records, sum(records) AS source_records,
	        sum(CASE WHEN systems = 2 THEN 1 ELSE 0 END) AS in_2_systems, sum(CASE WHEN systems = 3 THEN 1 ELSE 0 END) AS in_3_systems
	 FROM identity.persons
	 UNION ALL
	 SELECT 'companies', count(*), sum(records), sum(CASE WHEN systems = 2 THEN 1 ELSE 0 END), sum(CASE WHEN systems = 3 THEN 1 ELSE 0 END)
	 FROM identity.companies"
IDENT=$(q --json "SELECT CAST((SELECT count(*) FROM identity.persons) AS VARCHAR) AS p,
	CAST((SELECT count(*) FROM identity.persons WHERE systems = 2) AS VARCHAR) AS p2,
	CAST((SELECT count(*) FROM identity.persons WHERE systems = 3) AS VARCHAR) AS p3,
	CAST((SELECT count(*) FROM identity.companies) AS VARCHAR) AS c,
	CAST((SELECT count(*) FROM identity.companies WHERE systems = 2) AS VARCHAR) AS c2,
	CAST((SELECT count(*) FROM identity.companies WHERE systems = 3) AS VARCHAR) AS c3")
detail q "SELECT entity, rule, count(*) AS records FROM identity.crosswalk GROUP BY ALL ORDER BY entity, records DESC"
PERSON_ID=$(q --json "SELECT person_id FROM identity.persons WHERE systems = 3 ORDER BY records DESC, person_id LIMIT 1" | json_field person_id)
detail q "SELECT person_id, full_name, email, phone, company, city, email_from FROM identity.persons WHERE person_id = '$PERSON_ID'"
detail q "SELECT c.record_id, c.rule, round(c.score, 3) AS score, i.first_name, i.last_name, i.email
	 FROM identity.crosswalk AS c JOIN identity.person_input AS i USING (record_id) WHERE c.golden_id = '$PERSON_ID' ORDER BY c.record_id"
detail q "SELECT record_kind, source_system, records, entities, in_other_systems FROM metrics.unique_entities ORDER BY 1, 2"
show "$REVOPS" identity review --config "$CFG" --limit 3

step "10. The warehouse remembers every run (_revops): revops status"
show "$REVOPS" status --config "$CFG"
detail "$REVOPS" status --config "$CFG" -v
detail "$REVOPS" history --config "$CFG"

step "11. Golden records against the sandbox's truth file (pairs of records in one golden record)"
TRUTH="$DEMO_ABS/truth.csv"
detail q "SELECT system, object, count(*) AS records FROM read_csv('$TRUTH') GROUP BY ALL ORDER BY 1, 2"
show q "WITH t AS (SELECT system || ':' || object || ':' || record_id AS record_id, true_entity_id AS e
	            FROM read_csv('$TRUTH', all_varchar = true)),
	      x AS (SELECT c.entity, c.record_id, c.golden_id AS g, t.e FROM identity.crosswalk AS c JOIN t USING (record_id)),
	      p AS (SELECT a.entity, a.g = b.g AS predicted, a.e = b.e AS true_pair
	            FROM x AS a JOIN x AS b ON a.entity = b.entity AND a.record_id < b.record_id AND (a.g = b.g OR a.e = b.e)),
	      s AS (SELECT entity, sum(CASE WHEN predicted AND true_pair THEN 1 ELSE 0 END) AS tp,
	                   sum(CASE WHEN predicted AND NOT true_pair THEN 1 ELSE 0 END) AS fp,
	                   sum(CASE WHEN true_pair AND NOT predicted THEN 1 ELSE 0 END) AS fn FROM p GROUP BY entity)
	 SELECT entity, tp, fp, fn, round(tp / (tp + fp), 4) AS precision, round(tp / (tp + fn), 4) AS recall,
	        round(2 * tp / (2 * tp + fp + fn), 4) AS f1 FROM s ORDER BY entity"

step "12. Request counters of the emulators (every call of this demo)"
STATS=$(curl -sf "$SF_URL/__sandbox/stats")
printf '%s\n' "$STATS" | sed 's/},{/},\n  {/g' >>"$LOG"
CALLS=$(printf '%s\n' "$STATS" | sed 's/},{/}\n{/g' | awk -F'"count":' '
	{ split($0, a, "\"system\":\""); split(a[2], b, "\""); n = $2 + 0; by[b[1]] += n; total += n }
	END { printf "%d requests:", total; for (s in by) printf " %s %d", s, by[s]; printf "\n" }')
say "$CALLS"

step "13. The report: one HTML page of charts from the warehouse (no network needed to open it)"
show "$REVOPS" report --config "$CFG" --out "$DEMO_DIR/report.html"

SF_ROWS=$(printf '%s\n' "$EXTRACT" | awk '$1 == "salesforce" && $3 == "rows" { print $2 }')
ZC_ROWS=$(printf '%s\n' "$EXTRACT" | awk '$1 == "zoho_crm" && $3 == "rows" { print $2 }')
ZD_ROWS=$(printf '%s\n' "$EXTRACT" | awk '$1 == "zoho_desk" && $3 == "rows" { print $2 }')
ZCA_ROWS=$(printf '%s\n' "$EXTRACT" | awk '$1 == "zoho_campaigns" && $3 == "rows" { print $2 }')
printf '\n\033[1m== Summary\033[0m (%ds; every step in detail: %s)\n' $((SECONDS - START)) "$LOG"
cat <<EOF
  sandbox    6 emulators on loopback, $SEEDED seeded records; config $CFG
  extracted  salesforce $SF_ROWS rows · zoho_crm $ZC_ROWS · zoho_desk $ZD_ROWS · zoho_campaigns $ZCA_ROWS (full); later runs: changes only
  models     $BUILD_LINE
  identity   $(echo "$IDENT" | json_field p) people (in 2 systems: $(echo "$IDENT" | json_field p2), in 3: $(echo "$IDENT" | json_field p3)) · $(echo "$IDENT" | json_field c) companies (in 2: $(echo "$IDENT" | json_field c2), in 3: $(echo "$IDENT" | json_field c3))
  syncs      ${SYNC1_LINE% · *}
             again: ${SYNC2_LINE% · *}
  links      after a change in each CRM: ${LINK_LINE% · *}
  scheduled  revops run --every 2s --max-runs 3: $RUNS_OK of 3 runs succeeded
  API        $CALLS
  report     $DEMO_DIR/report.html (file://$DEMO_ABS/report.html)
  next       $REVOPS status -v -c $CFG    (every stage, cursor and target)
             $REVOPS sandbox --state $DEMO_DIR/sandbox-state --write-config $CFG &
             $REVOPS run --every 1m -c $CFG    (the scheduled job; Ctrl-C stops it)
EOF
