-- identity.deal_crosswalk (sql/identity/deal_crosswalk.sql, table)
WITH company_ids AS (
    SELECT system, source_id, golden_id
    FROM "IDENTITY"."CROSSWALK"
    WHERE entity = 'company'
),

raw_deals AS (
    SELECT
        CAST(NULL AS VARCHAR) AS source_system,
        CAST(NULL AS VARCHAR) AS source_id,
        CAST(NULL AS VARCHAR) AS name,
        CAST(NULL AS VARCHAR) AS account_source_id,
        CAST(NULL AS DECIMAL(18, 2)) AS amount,
        CAST(NULL AS DATE) AS close_date,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at
    WHERE 1 = 0

    UNION ALL
    SELECT 'salesforce', opportunity_id, name, account_id, amount, close_date, created_at
    FROM "STAGING"."STG_SALESFORCE__OPPORTUNITY"

    UNION ALL
    SELECT 'zoho_crm', deal_id, name, account_id, amount, close_date, created_at
    FROM "STAGING"."STG_ZOHO_CRM__DEALS"
),

deals AS (
    SELECT
        d.source_system || ':' || d.source_id AS deal_id,
        d.source_system,
        d.source_id,
        d.name,
        nullif(REGEXP_REPLACE(lower(d.name), '[^a-z0-9]+', ''), '') AS norm_name,
        d.amount,
        d.close_date,
        d.created_at,
        c.golden_id AS company_id
    FROM raw_deals AS d
    LEFT JOIN company_ids AS c ON c.system = d.source_system AND c.source_id = d.account_source_id
    WHERE d.source_id IS NOT NULL
),

pairs AS (
    SELECT a.deal_id AS a, b.deal_id AS b, 'name_amount_date' AS rule
    FROM deals AS a
    JOIN deals AS b
        ON b.norm_name = a.norm_name AND b.amount = a.amount AND b.close_date = a.close_date
    WHERE a.source_system < b.source_system

    UNION ALL
    SELECT a.deal_id, b.deal_id, 'company_name'
    FROM deals AS a
    JOIN deals AS b ON b.company_id = a.company_id AND b.norm_name = a.norm_name
    WHERE a.source_system < b.source_system
      AND (b.amount = a.amount OR b.close_date = a.close_date)

    UNION ALL
    SELECT a.deal_id, b.deal_id, 'company_amount_date'
    FROM deals AS a
    JOIN deals AS b
        ON b.company_id = a.company_id AND b.amount = a.amount AND b.close_date = a.close_date
    WHERE a.source_system < b.source_system
      AND (JAROWINKLER_SIMILARITY(lower(a.name), lower(b.name)) / 100.0) >= 0.8

    UNION ALL
    SELECT k.deal_id, d.deal_id, 'revops_sync:' || s.sync
    FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS" AS s
    JOIN deals AS d ON d.source_id = s.destination_id
    JOIN deals AS k ON k.source_id = s.key
    WHERE k.deal_id <> d.deal_id
),

edges AS (
    SELECT a, b, rule FROM pairs
    UNION ALL
    SELECT b, a, rule FROM pairs
),

-- The first created deal is the label of its group.
ranked AS (
    SELECT deal_id, row_number() OVER (ORDER BY created_at NULLS LAST, deal_id) AS pos
    FROM deals
),

round1 AS (
    SELECT d.deal_id, least(d.pos, coalesce(min(n.pos), d.pos)) AS pos
    FROM ranked AS d
    LEFT JOIN edges AS e ON e.a = d.deal_id
    LEFT JOIN ranked AS n ON n.deal_id = e.b
    GROUP BY d.deal_id, d.pos
),

round2 AS (
    SELECT d.deal_id, least(d.pos, coalesce(min(n.pos), d.pos)) AS pos
    FROM round1 AS d
    LEFT JOIN edges AS e ON e.a = d.deal_id
    LEFT JOIN round1 AS n ON n.deal_id = e.b
    GROUP BY d.deal_id, d.pos
),

rules AS (
    SELECT a AS deal_id, min(rule) AS rule FROM edges GROUP BY a
)

SELECT
    d.deal_id,
    d.source_system,
    d.source_id,
    l.deal_id AS unique_deal_id,
    r.rule,
    d.company_id
FROM deals AS d
JOIN round2 AS g ON g.deal_id = d.deal_id
JOIN ranked AS l ON l.pos = g.pos
LEFT JOIN rules AS r ON r.deal_id = d.deal_id
