-- metrics.unique_entities (sql/metrics/unique_entities.sql, table)
WITH records AS (
    SELECT 'lead' AS record_kind, source_system, person_id AS entity FROM "CORE"."LEADS"
    UNION ALL
    SELECT 'contact', source_system, person_id FROM "CORE"."CONTACTS"
    UNION ALL
    SELECT 'account', source_system, company_id FROM "CORE"."ACCOUNTS"
    UNION ALL
    SELECT 'deal', source_system, unique_deal_id FROM "CORE"."DEALS"
),

-- Persons count leads and contacts together: a lead in one CRM and a
-- contact in the other is one person in two systems.
family AS (
    SELECT
        r.*,
        CASE WHEN r.record_kind IN ('lead', 'contact') THEN 'person' ELSE r.record_kind END AS entity_kind
    FROM records AS r
),

systems AS (
    SELECT entity_kind, entity, count(DISTINCT source_system) AS n
    FROM family
    WHERE entity IS NOT NULL
    GROUP BY entity_kind, entity
)

SELECT
    f.record_kind,
    f.source_system,
    count(*) AS records,
    count(DISTINCT f.entity) AS entities,
    count(DISTINCT CASE WHEN s.n > 1 THEN f.entity END) AS in_other_systems
FROM family AS f
LEFT JOIN systems AS s ON s.entity_kind = f.entity_kind AND s.entity = f.entity
GROUP BY f.record_kind, f.source_system

UNION ALL
SELECT
    f.record_kind,
    'all',
    count(*),
    count(DISTINCT f.entity),
    count(DISTINCT CASE WHEN s.n > 1 THEN f.entity END)
FROM family AS f
LEFT JOIN systems AS s ON s.entity_kind = f.entity_kind AND s.entity = f.entity
GROUP BY f.record_kind
