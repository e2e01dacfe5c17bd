-- syncs.last_activity (sql/syncs/last_activity.sql, table)
WITH own AS (
    SELECT CAST(NULL AS VARCHAR) AS destination_id
    WHERE 1 = 0
    UNION ALL
    SELECT destination_id
    FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS"
    WHERE destination_id IS NOT NULL
),

activities AS (
    SELECT
        coalesce(c.person_id, l.person_id) AS person_id,
        coalesce(ac.company_id, c.company_id, d.company_id) AS company_id,
        a.created_at AS touched_at
    FROM "CORE"."ACTIVITIES" AS a
    LEFT JOIN "CORE"."CONTACTS" AS c ON c.contact_id = a.contact_id
    LEFT JOIN "CORE"."LEADS" AS l ON l.lead_id = a.lead_id
    LEFT JOIN "CORE"."ACCOUNTS" AS ac ON ac.account_id = a.account_id
    LEFT JOIN "CORE"."DEALS" AS d ON d.deal_id = a.deal_id
    WHERE a.source_id NOT IN (SELECT destination_id FROM own)
      AND a.created_at IS NOT NULL
),

touches AS (
    SELECT person_id, company_id, touched_at FROM activities
    UNION ALL
    SELECT person_id, company_id, created_at
    FROM "CORE"."TICKETS"
    WHERE created_at IS NOT NULL
)

SELECT 'person' AS entity, person_id AS golden_id, max(touched_at) AS last_activity_at
FROM touches
WHERE person_id IS NOT NULL
GROUP BY person_id
UNION ALL
SELECT 'company', company_id, max(touched_at)
FROM touches
WHERE company_id IS NOT NULL
GROUP BY company_id
