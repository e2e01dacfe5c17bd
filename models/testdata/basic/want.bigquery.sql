-- metrics.macros (sql/metrics/macros.sql)
SELECT
  DATE_DIFF(CAST(DATE '2024-03-01' AS DATE), CAST(DATE '2024-01-01' AS DATE), DAY) AS days,
  TIMESTAMP_DIFF(CAST(TIMESTAMP '2024-01-02 06:00:00' AS TIMESTAMP), CAST(TIMESTAMP '2024-01-01 00:00:00' AS TIMESTAMP), HOUR) AS hours,
  DATE_DIFF(CAST(DATE '2024-03-01' AS DATE), CAST(DATE '2024-01-01' AS DATE), ISOWEEK) AS weeks,
  DATE_DIFF(CAST(DATE '2024-03-01' AS DATE), CAST(DATE '2024-01-01' AS DATE), MONTH) AS months,
  TIMESTAMP_TRUNC(CAST(DATE '2024-02-17' AS TIMESTAMP), MONTH) AS month_start,
  (1 - SAFE_DIVIDE(EDIT_DISTANCE('Jonathan', 'Jonathon'), GREATEST(LENGTH('Jonathan'), LENGTH('Jonathon'), 1))) AS name_similarity,
  REGEXP_CONTAINS('ACME Corp.', 'corp') AS matches_lower,
  REGEXP_REPLACE('(555) 123-4567', '[^0-9]', '') AS digits,
  SAFE_CAST('12.5' AS FLOAT64) AS dbl,
  SAFE_CAST('oops' AS INT64) AS bad_int,
  SAFE_CAST('2024-02-17' AS DATE) AS d,
  TO_HEX(MD5(ARRAY_TO_STRING([COALESCE(CAST('a' AS STRING), ''), COALESCE(CAST(NULL AS STRING), ''), COALESCE(CAST('b' AS STRING), '')], '|'))) AS h,
  CURRENT_TIMESTAMP() AS built_at,
  'emea' AS region
;

-- seeds.regions (testdata/basic/user/seeds/regions.csv)
SELECT * FROM (VALUES
  (SAFE_CAST('emea' AS STRING), SAFE_CAST('Europe' AS STRING), SAFE_CAST('true' AS BOOL)),
  (SAFE_CAST('amer' AS STRING), SAFE_CAST('Americas' AS STRING), SAFE_CAST('false' AS BOOL))
) AS seed(`code`, `name`, `active`)
;

-- seeds.stage_map (configs/seeds/stage_map.csv)
SELECT * FROM (VALUES
  (SAFE_CAST('Open' AS STRING), SAFE_CAST('open' AS STRING), SAFE_CAST('1' AS INT64)),
  (SAFE_CAST('Working' AS STRING), SAFE_CAST('working' AS STRING), SAFE_CAST('2' AS INT64)),
  (SAFE_CAST('Converted' AS STRING), SAFE_CAST('converted' AS STRING), SAFE_CAST('3' AS INT64)),
  (SAFE_CAST('Qualified' AS STRING), SAFE_CAST('working' AS STRING), SAFE_CAST('2' AS INT64))
) AS seed(`status`, `stage`, `rank`)
;

-- staging.sf_leads (sql/staging/sf_leads.sql)
SELECT
  "Id" AS lead_id,
  lower("Email") AS email,
  "Status" AS status,
  "CreatedDate" AS created_at
FROM `salesforce`.`lead`
;

-- staging.zoho_leads (sql/staging/zoho_leads.sql)
SELECT
  id AS lead_id,
  lower("Email") AS email,
  "Lead_Status" AS status,
  "Created_Time" AS created_at
FROM `zoho_crm`.`leads`
;

-- core.leads (sql/core/leads.sql)
WITH all_leads AS (
  SELECT lead_id, email, status, created_at, 'salesforce' AS system FROM `staging`.`sf_leads`
  UNION ALL
  SELECT lead_id, email, status, created_at, 'zoho' AS system FROM `staging`.`zoho_leads`
)
SELECT l.lead_id, l.email, coalesce(m.stage, 'open') AS status, l.created_at, l.system
FROM all_leads AS l
LEFT JOIN `seeds`.`stage_map` AS m ON m.status = l.status
;

-- core.accounts (testdata/basic/user/core/accounts.sql)
SELECT DISTINCT split_part(email, '@', 2) AS account_id FROM `core`.`leads`
;

-- core.lead_events (sql/core/lead_events.sql)
SELECT lead_id, status, created_at FROM `core`.`leads`
;

-- metrics.lead_volume (sql/metrics/lead_volume.sql)
SELECT TIMESTAMP_TRUNC(CAST(created_at AS TIMESTAMP), ISOWEEK) AS week, system, count(*) AS leads
FROM `core`.`leads`
WHERE created_at >= CAST('2020-01-01' AS DATE)
GROUP BY ALL
;

-- tests.no_future_leads
SELECT lead_id FROM `core`.`leads` WHERE created_at > CURRENT_TIMESTAMP()
;
