#!/usr/bin/env bash
# make demo: everything revops has today, end to end, against the sandbox
# emulators on loopback and a DuckDB warehouse on disk.
set -euo pipefail

REVOPS=${REVOPS:-bin/revops}
DEMO_DIR=${DEMO_DIR:-.demo}
RECORDS=${RECORDS:-2000}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
json_field() { # json_field KEY: first "KEY":"value" on stdin
	sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"

step "1. Sandbox: Salesforce, Zoho CRM and Zoho Desk emulators with one seeded world ($RECORDS records per system)"
"$REVOPS" sandbox --records "$RECORDS" --seed 42 \
	--write-config "$DEMO_DIR/revops.yaml" --truth "$DEMO_DIR/truth.csv" --state "$DEMO_DIR/sandbox-state" \
	>"$DEMO_DIR/sandbox.json" 2>"$DEMO_DIR/sandbox.log" &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null || true; wait $SANDBOX_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
	[ -s "$DEMO_DIR/sandbox.json" ] && break
	kill -0 $SANDBOX_PID 2>/dev/null || { cat "$DEMO_DIR/sandbox.log"; exit 1; }
	sleep 0.1
done
[ -s "$DEMO_DIR/sandbox.json" ] || { echo "sandbox did not start"; cat "$DEMO_DIR/sandbox.log"; exit 1; }
cat "$DEMO_DIR/sandbox.log"
SF_LINE=$(sed 's/.*"salesforce":{\([^}]*\)}.*/\1/' "$DEMO_DIR/sandbox.json")
ZOHO_LINE=$(sed 's/.*"zoho":{\([^}]*\)}.*/\1/' "$DEMO_DIR/sandbox.json")
SF_URL=$(echo "$SF_LINE" | json_field instance_url)
ZOHO_URL=$(echo "$ZOHO_LINE" | json_field api_domain)
echo "salesforce: $SF_URL   zoho: $ZOHO_URL   config: $DEMO_DIR/revops.yaml"

step "2. Validate the config the sandbox wrote"
"$REVOPS" validate --config "$DEMO_DIR/revops.yaml"

step "3. Talk to the emulators as a client would: OAuth, SOQL, COQL, Desk"
SF_TOKEN=$(curl -sf -X POST "$SF_URL/services/oauth2/token" \
	-d grant_type=refresh_token \
	-d client_id="$(echo "$SF_LINE" | json_field client_id)" \
	-d client_secret="$(echo "$SF_LINE" | json_field client_secret)" \
	-d refresh_token="$(echo "$SF_LINE" | json_field refresh_token)" | json_field access_token)
echo "Salesforce leads (SOQL COUNT() over the REST API):"
curl -sf -G "$SF_URL/services/data/v62.0/query" -H "Authorization: Bearer $SF_TOKEN" \
	--data-urlencode "q=SELECT COUNT() FROM Lead" | sed 's/^/  /'; echo
ZOHO_TOKEN=$(curl -sf -X POST "$ZOHO_URL/oauth/v2/token" \
	-d grant_type=refresh_token \
	-d client_id="$(echo "$ZOHO_LINE" | json_field client_id)" \
	-d client_secret="$(echo "$ZOHO_LINE" | json_field client_secret)" \
	-d refresh_token="$(echo "$ZOHO_LINE" | json_field refresh_token)" | json_field access_token)
echo "Zoho CRM deals (COQL):"
curl -sf -X POST "$ZOHO_URL/crm/v8/coql" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' \
	-d '{"select_query":"select Deal_Name, Stage, Amount from Deals where Amount > 0 order by Amount desc limit 3"}' | cut -c1-400; echo
echo "Zoho Desk tickets (first 2):"
curl -sf "$ZOHO_URL/api/v1/tickets?limit=2" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H "orgId: $(echo "$ZOHO_LINE" | json_field org_id)" | cut -c1-400; echo

step "4. Extract every object of the three sources into DuckDB (full run)"
"$REVOPS" extract --config "$DEMO_DIR/revops.yaml"

step "5. Change both CRMs through their APIs, then extract again (incremental: only the changes)"
LEAD_ID=$("$REVOPS" query --config "$DEMO_DIR/revops.yaml" --json 'SELECT "Id" FROM salesforce.lead ORDER BY "Id" LIMIT 1' | json_field Id)
curl -sf -X PATCH "$SF_URL/services/data/v62.0/sobjects/Lead/$LEAD_ID" -H "Authorization: Bearer $SF_TOKEN" \
	-H 'Content-Type: application/json' -d '{"Title":"Chief Revenue Officer","Status":"Working - Contacted"}'
ZLEAD_ID=$("$REVOPS" query --config "$DEMO_DIR/revops.yaml" --json 'SELECT id FROM zoho_crm.leads ORDER BY id LIMIT 1' | json_field id)
curl -sf -X PUT "$ZOHO_URL/crm/v8/Leads" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"data\":[{\"id\":\"$ZLEAD_ID\",\"Designation\":\"VP Sales\"}]}" >/dev/null
echo "changed Salesforce lead $LEAD_ID and Zoho lead $ZLEAD_ID"
"$REVOPS" extract --config "$DEMO_DIR/revops.yaml"
echo "The Salesforce lead's history (every version seen, with its validity):"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT \"Id\", \"Title\", \"Status\", _valid_from, _valid_to FROM salesforce.lead__history WHERE \"Id\" = '$LEAD_ID' ORDER BY _valid_from"

step "6. Build the SQL models (staging, core, metrics) and run their data tests"
"$REVOPS" build --config "$DEMO_DIR/revops.yaml"
echo "Pipeline by normalized stage, both CRMs in one vocabulary:"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT source_system, stage, deal_count, round(total_amount) AS total_amount FROM metrics.pipeline_by_stage ORDER BY source_system, stage"
echo "Win rate by system (all months):"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT source_system, sum(deals_won) AS won, sum(deals_closed) AS closed, round(sum(deals_won) / sum(deals_closed), 3) AS win_rate FROM metrics.win_rate GROUP BY ALL ORDER BY 1"

step "7. Reverse ETL: plan the syncs, then send only the changes to both CRMs"
"$REVOPS" sync plan --config "$DEMO_DIR/revops.yaml" --no-build
"$REVOPS" sync --config "$DEMO_DIR/revops.yaml" --no-build
echo "A second run finds nothing changed and sends nothing:"
"$REVOPS" sync --config "$DEMO_DIR/revops.yaml" --no-build
"$REVOPS" sync history --config "$DEMO_DIR/revops.yaml"

step "8. The scheduled job in one command: revops run (extract, build, sync)"
"$REVOPS" run --config "$DEMO_DIR/revops.yaml" --quiet
echo "revops run: every stage succeeded (the example link filled the lead copies the sync made)"

step "8b. Two-way link: Zoho leads and their Salesforce copies kept equal both ways (links: zoho_sf_leads)"
PAIR=$("$REVOPS" query --config "$DEMO_DIR/revops.yaml" --json \
	'SELECT CAST(z.id AS VARCHAR) AS zid, s."Id" AS sid FROM zoho_crm.leads AS z JOIN salesforce.lead AS s ON s."Zoho_Lead_Id__c" = z.id ORDER BY z.id LIMIT 1')
ZID=$(echo "$PAIR" | json_field zid)
SID=$(echo "$PAIR" | json_field sid)
echo "A change in each CRM: Salesforce lead $SID gets a new Title, its Zoho lead $ZID a new City"
curl -sf -X PATCH "$SF_URL/services/data/v62.0/sobjects/Lead/$SID" -H "Authorization: Bearer $SF_TOKEN" \
	-H 'Content-Type: application/json' -d '{"Title":"Head of Revenue"}'
curl -sf -X PUT "$ZOHO_URL/crm/v8/Leads" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"data\":[{\"id\":\"$ZID\",\"City\":\"Lisbon\"}]}" >/dev/null
"$REVOPS" extract --config "$DEMO_DIR/revops.yaml" --quiet
echo "The plan: per side what the link writes and the API calls it spends:"
"$REVOPS" link plan --config "$DEMO_DIR/revops.yaml"
echo "The run: one write each way (UPDATED left/right):"
"$REVOPS" link --config "$DEMO_DIR/revops.yaml"
"$REVOPS" extract --config "$DEMO_DIR/revops.yaml" --quiet
echo "Again after the next extract: the echoes of those writes cause no write:"
"$REVOPS" link --config "$DEMO_DIR/revops.yaml"
echo "A conflict: both CRMs change the lead's title; Title is owned by salesforce, so Salesforce's wins:"
curl -sf -X PATCH "$SF_URL/services/data/v62.0/sobjects/Lead/$SID" -H "Authorization: Bearer $SF_TOKEN" \
	-H 'Content-Type: application/json' -d '{"Title":"Chief Revenue Officer"}'
curl -sf -X PUT "$ZOHO_URL/crm/v8/Leads" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"data\":[{\"id\":\"$ZID\",\"Designation\":\"VP Revenue\"}]}" >/dev/null
"$REVOPS" extract --config "$DEMO_DIR/revops.yaml" --quiet
"$REVOPS" link --config "$DEMO_DIR/revops.yaml"
"$REVOPS" link conflicts --config "$DEMO_DIR/revops.yaml"
"$REVOPS" extract --config "$DEMO_DIR/revops.yaml" --quiet
echo "Both CRMs now hold Salesforce's title:"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT z.\"Designation\" AS zoho_title, s.\"Title\" AS salesforce_title FROM zoho_crm.leads AS z, salesforce.lead AS s WHERE CAST(z.id AS VARCHAR) = '$ZID' AND s.\"Id\" = '$SID'"
"$REVOPS" link history --config "$DEMO_DIR/revops.yaml" --limit 4

step "8c. The integration templates the sandbox config enables (configs/links, configs/syncs)"
CFG="$DEMO_DIR/revops.yaml"
OPP=$("$REVOPS" query --config "$CFG" --json "SELECT source_id FROM core.deals WHERE source_system = 'salesforce' AND NOT is_closed
	AND amount > 0 AND company_id IN (SELECT golden_id FROM identity.crosswalk WHERE system = 'zoho_crm' AND object = 'Accounts'
	GROUP BY 1 HAVING count(*) = 1) ORDER BY source_id LIMIT 1" | json_field source_id)
ZDEAL=$("$REVOPS" query --config "$CFG" --json "SELECT z.source_id FROM syncs.deal_pairs AS z JOIN syncs.deal_pairs AS s
	ON s.golden_id = z.golden_id AND s.system = 'salesforce' JOIN salesforce.opportunity AS o ON o.\"Id\" = s.source_id
	WHERE z.system = 'zoho_crm' AND o.\"StageName\" NOT LIKE 'Closed%' AND o.\"Id\" <> '$OPP' ORDER BY 1 LIMIT 1" | json_field source_id)
TICKET=$("$REVOPS" query --config "$CFG" --json "SELECT t.source_id FROM core.tickets AS t JOIN identity.crosswalk AS x
	ON x.system = 'salesforce' AND x.object = 'Contact' AND x.golden_id = t.person_id
	JOIN staging.stg_salesforce__contact AS c ON c.contact_id = x.source_id
	WHERE t.source_system = 'zoho_desk' AND t.status_raw = 'Open' AND c.account_id IS NOT NULL ORDER BY 1 LIMIT 1" | json_field source_id)
echo "Salesforce opportunity $OPP is won, Zoho deal $ZDEAL moves to Negotiation/Review, Desk ticket $TICKET is escalated:"
curl -sf -X PATCH "$SF_URL/services/data/v62.0/sobjects/Opportunity/$OPP" -H "Authorization: Bearer $SF_TOKEN" \
	-H 'Content-Type: application/json' -d '{"StageName":"Closed Won"}'
curl -sf -X PUT "$ZOHO_URL/crm/v8/Deals" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"data\":[{\"id\":\"$ZDEAL\",\"Stage\":\"Negotiation/Review\"}]}" >/dev/null
curl -sf -X PATCH "$ZOHO_URL/api/v1/tickets/$TICKET" -H "Authorization: Zoho-oauthtoken $ZOHO_TOKEN" \
	-H "orgId: $(echo "$ZOHO_LINE" | json_field org_id)" -H 'Content-Type: application/json' -d '{"status":"Escalated"}' >/dev/null
"$REVOPS" run --config "$CFG" --quiet
echo "Records each template wrote (API calls) in its first run, in its second, and in the run after those changes:"
"$REVOPS" query --config "$CFG" \
	"WITH r AS (SELECT sync AS template, 'sync' AS kind, started_at, succeeded AS written, api_calls FROM _revops.sync_runs WHERE kind = 'run'
	            UNION ALL
	            SELECT link, 'link', started_at, updated + transitions, api_calls FROM _revops.link_runs WHERE kind = 'run'),
	      n AS (SELECT *, written || ' (' || api_calls || ')' AS cell, row_number() OVER (PARTITION BY template ORDER BY started_at) AS i,
	                   count(*) OVER (PARTITION BY template) AS k FROM r)
	 SELECT kind, template, max(CASE WHEN i = 1 THEN cell END) AS first_run, max(CASE WHEN i = 2 THEN cell END) AS second_run,
	        max(CASE WHEN i = k THEN cell END) AS after_changes
	 FROM n GROUP BY ALL ORDER BY kind, template"
"$REVOPS" extract --config "$CFG" --quiet
echo "Read back: the escalated ticket's Salesforce Tasks, the mirrored opportunity's stage, closed-won transitions fired:"
"$REVOPS" query --config "$CFG" \
	"SELECT (SELECT count(*) FROM salesforce.task WHERE \"Zoho_Desk_Ticket_Id__c\" = '$TICKET') AS tasks_for_the_ticket,
	        (SELECT \"StageName\" FROM salesforce.opportunity AS o JOIN syncs.deal_pairs AS s ON s.source_id = o.\"Id\"
	         JOIN syncs.deal_pairs AS z ON z.golden_id = s.golden_id AND z.source_id = '$ZDEAL' LIMIT 1) AS its_opportunity_stage,
	        (SELECT count(*) FROM _revops.link_transitions WHERE record_id = '$OPP' AND state = 'fired') AS closed_won_fired"

step "9. Identity: golden records for every person and company across the three systems"
echo "revops run extracted the leads the sync copied into Salesforce and built the identity models."
echo "Golden records, and how many of them appear in 2 or 3 systems:"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT 'persons' AS entity, count(*) AS golden_records, sum(records) AS source_records,
	        sum(CASE WHEN systems = 2 THEN 1 ELSE 0 END) AS in_2_systems, sum(CASE WHEN systems = 3 THEN 1 ELSE 0 END) AS in_3_systems
	 FROM identity.persons
	 UNION ALL
	 SELECT 'companies', count(*), sum(records), sum(CASE WHEN systems = 2 THEN 1 ELSE 0 END), sum(CASE WHEN systems = 3 THEN 1 ELSE 0 END)
	 FROM identity.companies"
echo "How each record joined its golden record (identity.crosswalk):"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT entity, rule, count(*) AS records FROM identity.crosswalk GROUP BY ALL ORDER BY entity, records DESC"
echo "One person found in all three systems, and the records behind the golden record:"
PERSON_ID=$("$REVOPS" query --config "$DEMO_DIR/revops.yaml" --json \
	"SELECT person_id FROM identity.persons WHERE systems = 3 ORDER BY records DESC, person_id LIMIT 1" | json_field person_id)
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT person_id, full_name, email, phone, company, city, email_from FROM identity.persons WHERE person_id = '$PERSON_ID'"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT c.record_id, c.rule, round(c.score, 3) AS score, i.first_name, i.last_name, i.email
	 FROM identity.crosswalk AS c JOIN identity.person_input AS i USING (record_id)
	 WHERE c.golden_id = '$PERSON_ID' ORDER BY c.record_id"
echo "Metrics count people once: leads created today (the sync's copies) as records, and as people:"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT (SELECT coalesce(sum(leads_created), 0) FROM metrics.lead_volume_daily WHERE created_date = current_date) AS lead_records_today,
	        (SELECT coalesce(sum(leads_created), 0) FROM metrics.lead_volume_daily_unique WHERE created_date = current_date) AS new_people_today"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT record_kind, source_system, records, entities, in_other_systems FROM metrics.unique_entities ORDER BY 1, 2"
echo "The review queue: pairs the matcher was unsure about (decide with revops identity decide ID1 ID2 match|no-match):"
"$REVOPS" identity review --config "$DEMO_DIR/revops.yaml" --limit 3

step "10. The warehouse: pipeline state in _revops (cursors, runs)"
"$REVOPS" status --config "$DEMO_DIR/revops.yaml" --limit 5

step "11. DuckDB reads the sandbox's truth file: who is the same person or company across systems"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"SELECT system, object, count(*) AS records FROM read_csv('$PWD/$DEMO_DIR/truth.csv') GROUP BY ALL ORDER BY 1, 2"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"WITH t AS (SELECT DISTINCT system, true_entity_id FROM read_csv('$PWD/$DEMO_DIR/truth.csv') WHERE system IN ('salesforce','zoho_crm'))
	 SELECT count(*) FILTER (WHERE n = 2) AS entities_in_both_crms, count(*) AS entities_in_any_crm
	 FROM (SELECT true_entity_id, count(*) AS n FROM t GROUP BY 1)"
echo "How well the golden records match the truth (pairs of seeded records in one golden record):"
"$REVOPS" query --config "$DEMO_DIR/revops.yaml" \
	"WITH t AS (SELECT system || ':' || object || ':' || record_id AS record_id, true_entity_id AS e
	            FROM read_csv('$PWD/$DEMO_DIR/truth.csv', all_varchar = true)),
	      x AS (SELECT c.entity, c.record_id, c.golden_id AS g, t.e FROM identity.crosswalk AS c JOIN t USING (record_id)),
	      p AS (SELECT a.entity, a.g = b.g AS predicted, a.e = b.e AS true_pair
	            FROM x AS a JOIN x AS b ON a.entity = b.entity AND a.record_id < b.record_id AND (a.g = b.g OR a.e = b.e)),
	      s AS (SELECT entity, sum(CASE WHEN predicted AND true_pair THEN 1 ELSE 0 END) AS tp,
	                   sum(CASE WHEN predicted AND NOT true_pair THEN 1 ELSE 0 END) AS fp,
	                   sum(CASE WHEN true_pair AND NOT predicted THEN 1 ELSE 0 END) AS fn FROM p GROUP BY entity)
	 SELECT entity, tp, fp, fn, round(tp / (tp + fp), 4) AS precision, round(tp / (tp + fn), 4) AS recall,
	        round(2 * tp / (2 * tp + fp + fn), 4) AS f1 FROM s ORDER BY entity"

step "12. Request counters of the emulators (every call of this demo, by system, endpoint and status)"
curl -sf "$SF_URL/__sandbox/stats" | sed 's/},{/},\n  {/g'; echo

step "13. The report: one HTML page of charts from the warehouse (no network needed to open it)"
"$REVOPS" report --config "$DEMO_DIR/revops.yaml" --out "$DEMO_DIR/report.html"
echo "Open it in a browser: file://$PWD/$DEMO_DIR/report.html"

step "Done"
echo "sandbox -> extract -> models -> sync, end to end, against the emulators on loopback and DuckDB in $DEMO_DIR."
