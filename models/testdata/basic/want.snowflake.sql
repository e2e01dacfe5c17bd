-- metrics.macros (sql/metrics/macros.sql)
SELECT
  DATEDIFF(day, DATE '2024-01-01', DATE '2024-03-01') AS days,
  DATEDIFF(hour, TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-02 06:00:00') AS hours,
  DATEDIFF(week, DATE '2024-01-01', DATE '2024-03-01') AS weeks,
  DATEDIFF(month, DATE '2024-01-01', DATE '2024-03-01') AS months,
  DATE_TRUNC('month', DATE '2024-02-17') AS month_start,
  (JAROWINKLER_SIMILARITY('Jonathan', 'Jonathon') / 100.0) AS name_similarity,
  (REGEXP_INSTR('ACME Corp.', 'corp') > 0) AS matches_lower,
  REGEXP_REPLACE('(555) 123-4567', '[^0-9]', '') AS digits,
  TRY_CAST(TO_VARCHAR('12.5') AS DOUBLE) AS dbl,
  TRY_CAST(TO_VARCHAR('oops') AS NUMBER(38,0)) AS bad_int,
  TRY_CAST(TO_VARCHAR('2024-02-17') AS DATE) AS d,
  MD5(CONCAT_WS('|', COALESCE(TO_VARCHAR('a'), ''), COALESCE(TO_VARCHAR(NULL), ''), COALESCE(TO_VARCHAR('b'), ''))) AS h,
  CURRENT_TIMESTAMP() AS built_at,
  'emea' AS region
;

-- seeds.regions (testdata/basic/user/seeds/regions.csv)
SELECT * FROM (VALUES
  (TRY_CAST(TO_VARCHAR('emea') AS VARCHAR), TRY_CAST(TO_VARCHAR('Europe') AS VARCHAR), TRY_CAST(TO_VARCHAR('true') AS BOOLEAN)),
  (TRY_CAST(TO_VARCHAR('amer') AS VARCHAR), TRY_CAST(TO_VARCHAR('Americas') AS VARCHAR), TRY_CAST(TO_VARCHAR('false') AS BOOLEAN))
) AS seed("CODE", "NAME", "ACTIVE")
;

-- seeds.stage_map (configs/seeds/stage_map.csv)
SELECT * FROM (VALUES
  (TRY_CAST(TO_VARCHAR('Open') AS VARCHAR), TRY_CAST(TO_VARCHAR('open') AS VARCHAR), TRY_CAST(TO_VARCHAR('1') AS NUMBER(38,0))),
  (TRY_CAST(TO_VARCHAR('Working') AS VARCHAR), TRY_CAST(TO_VARCHAR('working') AS VARCHAR), TRY_CAST(TO_VARCHAR('2') AS NUMBER(38,0))),
  (TRY_CAST(TO_VARCHAR('Converted') AS VARCHAR), TRY_CAST(TO_VARCHAR('converted') AS VARCHAR), TRY_CAST(TO_VARCHAR('3') AS NUMBER(38,0))),
  (TRY_CAST(TO_VARCHAR('Qualified') AS VARCHAR), TRY_CAST(TO_VARCHAR('working') AS VARCHAR), TRY_CAST(TO_VARCHAR('2') AS NUMBER(38,0)))
) AS seed("STATUS", "STAGE", "RANK")
;

-- staging.sf_leads (sql/staging/sf_leads.sql)
SELECT
  "Id" AS lead_id,
  lower("Email") AS email,
  "Status" AS status,
  "CreatedDate" AS created_at
FROM "SALESFORCE"."LEAD"
;

-- staging.zoho_leads (sql/staging/zoho_leads.sql)
SELECT
  id AS lead_id,
  lower("Email") AS email,
  "Lead_Status" AS status,
  "Created_Time" AS created_at
FROM "ZOHO_CRM"."LEADS"
;

-- core.leads (sql/core/leads.sql)
WITH all_leads AS (
  SELECT lead_id, email, status, created_at, 'salesforce' AS system FROM "STAGING"."SF_LEADS"
  UNION ALL
  SELECT lead_id, email, status, created_at, 'zoho' AS system FROM "STAGING"."ZOHO_LEADS"
)
SELECT l.lead_id, l.email, coalesce(m.stage, 'open') AS status, l.created_at, l.system
FROM all_leads AS l
LEFT JOIN "SEEDS"."STAGE_MAP" AS m ON m.status = l.status
;

-- core.accounts (testdata/basic/user/core/accounts.sql)
SELECT DISTINCT split_part(email, '@', 2) AS account_id FROM "CORE"."LEADS"
;

-- core.lead_events (sql/core/lead_events.sql)
SELECT lead_id, status, created_at FROM "CORE"."LEADS"
;

-- metrics.lead_volume (sql/metrics/lead_volume.sql)
SELECT DATE_TRUNC('week', created_at) AS week, system, count(*) AS leads
FROM "CORE"."LEADS"
WHERE created_at >= CAST('2020-01-01' AS DATE)
GROUP BY ALL
;

-- tests.no_future_leads
SELECT lead_id FROM "CORE"."LEADS" WHERE created_at > CURRENT_TIMESTAMP()
;
