-- identity.deal_crosswalk: every deal of the CRMs (Salesforce
-- Opportunities, Zoho CRM Deals) and the unique deal it is a copy of, so
-- that a deal copied between the CRMs (by revops or by hand) counts once.
-- Two deals in different systems are one deal when
--   revops_sync:<sync>   revops wrote one from the other (sync snapshots)
--   name_amount_date     same name (lower-cased, letters and digits only),
--                        amount and close date
--   company_name         same golden company, same name, and same amount or
--                        close date
--   company_amount_date  same golden company, amount and close date, and
--                        names at least 0.8 similar (a typo)
-- and the links chain (two rounds, enough for three systems' copies).
--   unique_deal_id   the deal_id (core.deals) of the group's first created
--                    deal (ties: the smallest deal_id)
--   rule             the link that put the deal in its group (the first by
--                    name); NULL for a deal alone
--   company_id       the golden company of its account
-- Grain: one row per live deal.
-- config: materialized=table
-- test: unique deal_id
-- test: not_null unique_deal_id
WITH company_ids AS (
    SELECT system, source_id, golden_id
    FROM {{ ref "identity.crosswalk" }}
    WHERE entity = 'company'
),

raw_deals AS (
    SELECT
        {{ cast "NULL" "varchar" }} AS source_system,
        {{ cast "NULL" "varchar" }} AS source_id,
        {{ cast "NULL" "varchar" }} AS name,
        {{ cast "NULL" "varchar" }} AS account_source_id,
        CAST(NULL AS DECIMAL(18, 2)) AS amount,
        CAST(NULL AS DATE) AS close_date,
        {{ cast "NULL" "timestamp" }} AS created_at
    WHERE 1 = 0
{{- if source_exists "salesforce" "opportunity" }}

    UNION ALL
    SELECT 'salesforce', opportunity_id, name, account_id, amount, close_date, created_at
    FROM {{ ref "stg_salesforce__opportunity" }}
{{- end }}
{{- if source_exists "zoho_crm" "deals" }}

    UNION ALL
    SELECT 'zoho_crm', deal_id, name, account_id, amount, close_date, created_at
    FROM {{ ref "stg_zoho_crm__deals" }}
{{- end }}
),

deals AS (
    SELECT
        d.source_system || ':' || d.source_id AS deal_id,
        d.source_system,
        d.source_id,
        d.name,
        nullif({{ regexp_replace "lower(d.name)" "'[^a-z0-9]+'" "''" }}, '') AS norm_name,
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
      AND {{ similarity "lower(a.name)" "lower(b.name)" }} >= 0.8
{{- if source_exists "identity" "state_sync_snapshots" }}

    UNION ALL
    SELECT k.deal_id, d.deal_id, 'revops_sync:' || s.sync
    FROM {{ source "identity" "state_sync_snapshots" }} AS s
    JOIN deals AS d ON d.source_id = s.destination_id
    JOIN deals AS k ON k.source_id = s.key
    WHERE k.deal_id <> d.deal_id
{{- end }}
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
