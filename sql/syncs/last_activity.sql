-- syncs.last_activity: when each golden person and golden company
-- (identity.persons, identity.companies) was last in touch, for the
-- enrichment syncs: the latest task, call, meeting or e-mail of either
-- CRM on any of their records (core.activities; records revops itself
-- created through a sync, such as the Tasks of escalated tickets, do not
-- count: their ticket does) and the latest support ticket (core.tickets).
--   entity            person | company
--   golden_id         person_id / company_id
--   last_activity_at  the latest of those times
-- config: materialized=table
-- test: unique entity,golden_id
-- test: not_null last_activity_at
WITH own AS (
    SELECT {{ cast "NULL" "varchar" }} AS destination_id
    WHERE 1 = 0
{{- if source_exists "identity" "state_sync_snapshots" }}
    UNION ALL
    SELECT destination_id
    FROM {{ source "identity" "state_sync_snapshots" }}
    WHERE destination_id IS NOT NULL
{{- end }}
),

activities AS (
    SELECT
        coalesce(c.person_id, l.person_id) AS person_id,
        coalesce(ac.company_id, c.company_id, d.company_id) AS company_id,
        a.created_at AS touched_at
    FROM {{ ref "core.activities" }} AS a
    LEFT JOIN {{ ref "core.contacts" }} AS c ON c.contact_id = a.contact_id
    LEFT JOIN {{ ref "core.leads" }} AS l ON l.lead_id = a.lead_id
    LEFT JOIN {{ ref "core.accounts" }} AS ac ON ac.account_id = a.account_id
    LEFT JOIN {{ ref "core.deals" }} AS d ON d.deal_id = a.deal_id
    WHERE a.source_id NOT IN (SELECT destination_id FROM own)
      AND a.created_at IS NOT NULL
),

touches AS (
    SELECT person_id, company_id, touched_at FROM activities
    UNION ALL
    SELECT person_id, company_id, created_at
    FROM {{ ref "core.tickets" }}
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
