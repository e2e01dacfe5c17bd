-- metrics.macros (sql/metrics/macros.sql)
SELECT
  date_diff('day', DATE '2024-01-01', DATE '2024-03-01') AS days,
  date_diff('hour', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-02 06:00:00') AS hours,
  date_diff('week', DATE '2024-01-01', DATE '2024-03-01') AS weeks,
  date_diff('month', DATE '2024-01-01', DATE '2024-03-01') AS months,
  date_trunc('month', DATE '2024-02-17') AS month_start,
  jaro_winkler_similarity('Jonathan', 'Jonathon') AS name_similarity,
  regexp_matches('ACME Corp.', 'corp') AS matches_lower,
  regexp_replace('(555) 123-4567', '[^0-9]', '', 'g') AS digits,
  TRY_CAST('12.5' AS DOUBLE) AS dbl,
  TRY_CAST('oops' AS BIGINT) AS bad_int,
  TRY_CAST('2024-02-17' AS DATE) AS d,
  md5(concat_ws('|', coalesce(CAST('a' AS VARCHAR), ''), coalesce(CAST(NULL AS VARCHAR), ''), coalesce(CAST('b' AS VARCHAR), ''))) AS h,
  current_timestamp AS built_at,
  'emea' AS region
;

-- seeds.regions (testdata/basic/user/seeds/regions.csv)
SELECT * FROM (VALUES
  (TRY_CAST('emea' AS VARCHAR), TRY_CAST('Europe' AS VARCHAR), TRY_CAST('true' AS BOOLEAN)),
  (TRY_CAST('amer' AS VARCHAR), TRY_CAST('Americas' AS VARCHAR), TRY_CAST('false' AS BOOLEAN))
) AS seed("code", "name", "active")
;

-- seeds.stage_map (configs/seeds/stage_map.csv)
SELECT * FROM (VALUES
  (TRY_CAST('Open' AS VARCHAR), TRY_CAST('open' AS VARCHAR), TRY_CAST('1' AS BIGINT)),
  (TRY_CAST('Working' AS VARCHAR), TRY_CAST('working' AS VARCHAR), TRY_CAST('2' AS BIGINT)),
  (TRY_CAST('Converted' AS VARCHAR), TRY_CAST('converted' AS VARCHAR), TRY_CAST('3' AS BIGINT)),
  (TRY_CAST('Qualified' AS VARCHAR), TRY_CAST('working' AS VARCHAR), TRY_CAST('2' AS BIGINT))
) AS seed("status", "stage", "rank")
;

-- staging.sf_leads (sql/staging/sf_leads.sql)
SELECT
  "Id" AS lead_id,
  lower("Email") AS email,
  "Status" AS status,
  "CreatedDate" AS created_at
FROM "salesforce"."lead"
;

-- staging.zoho_leads (sql/staging/zoho_leads.sql)
SELECT
  id AS lead_id,
  lower("Email") AS email,
  "Lead_Status" AS status,
  "Created_Time" AS created_at
FROM "zoho_crm"."leads"
;

-- core.leads (sql/core/leads.sql)
WITH all_leads AS (
  SELECT lead_id, email, status, created_at, 'salesforce' AS system FROM "staging"."sf_leads"
  UNION ALL
  SELECT lead_id, email, status, created_at, 'zoho' AS system FROM "staging"."zoho_leads"
)
SELECT l.lead_id, l.email, coalesce(m.stage, 'open') AS status, l.created_at, l.system
FROM all_leads AS l
LEFT JOIN "seeds"."stage_map" AS m ON m.status = l.status
;

-- core.accounts (testdata/basic/user/core/accounts.sql)
SELECT DISTINCT split_part(email, '@', 2) AS account_id FROM "core"."leads"
;

-- core.lead_events (sql/core/lead_events.sql)
SELECT lead_id, status, created_at FROM "core"."leads"
;

-- metrics.lead_volume (sql/metrics/lead_volume.sql)
SELECT date_trunc('week', created_at) AS week, system, count(*) AS leads
FROM "core"."leads"
WHERE created_at >= CAST('2020-01-01' AS DATE)
GROUP BY ALL
;

-- tests.no_future_leads
SELECT lead_id FROM "core"."leads" WHERE created_at > current_timestamp
;
