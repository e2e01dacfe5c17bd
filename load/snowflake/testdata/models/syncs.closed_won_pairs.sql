-- syncs.closed_won_pairs (sql/syncs/closed_won_pairs.sql, table)
WITH zoho_accounts AS (
    SELECT golden_id AS company_id, min(source_id) AS account_id
    FROM "IDENTITY"."CROSSWALK"
    WHERE system = 'zoho_crm' AND object = 'Accounts'
    GROUP BY golden_id
    HAVING count(*) = 1
),

won AS (
    SELECT
        d.source_id AS opportunity_id,
        d.company_id,
        coalesce(h.entered_at, d.updated_at) AS won_at
    FROM "CORE"."DEALS" AS d
    LEFT JOIN "CORE"."DEAL_STAGE_HISTORY" AS h
        ON h.deal_id = d.deal_id AND h.exited_at IS NULL
    WHERE d.source_system = 'salesforce' AND d.is_won AND d.company_id IS NOT NULL
),

latest AS (
    SELECT opportunity_id, company_id
    FROM (
        SELECT
            w.*,
            row_number() OVER (PARTITION BY w.company_id ORDER BY w.won_at DESC NULLS LAST, w.opportunity_id DESC) AS nth
        FROM won AS w
    ) AS ranked
    WHERE nth = 1
)

SELECT 'zoho_crm' AS system, 'Accounts' AS object, z.account_id AS source_id, l.company_id AS golden_id
FROM latest AS l
JOIN zoho_accounts AS z ON z.company_id = l.company_id
UNION ALL
SELECT 'salesforce', 'Opportunity', l.opportunity_id, l.company_id
FROM latest AS l
JOIN zoho_accounts AS z ON z.company_id = l.company_id
