-- metrics.unique_entities: how many records the systems hold against how
-- many people, companies and deals they are, per kind of record and
-- system, and over all systems (source_system 'all'): the records a
-- person or company has in several systems (or twice in one) count once
-- under `entities`.
--   records         records of that kind in that system
--   entities        distinct golden persons (leads, contacts), companies
--                   (accounts) or unique deals (deals) they are
--   in_other_systems  of those entities, how many another system also holds
--                   (under 'all': how many two or more systems hold)
-- Grain: one row per (record_kind, source_system).
-- config: materialized=table
-- test: unique record_kind,source_system
WITH records AS (
    SELECT 'lead' AS record_kind, source_system, person_id AS entity FROM {{ ref "core.leads" }}
    UNION ALL
    SELECT 'contact', source_system, person_id FROM {{ ref "core.contacts" }}
    UNION ALL
    SELECT 'account', source_system, company_id FROM {{ ref "core.accounts" }}
    UNION ALL
    SELECT 'deal', source_system, unique_deal_id FROM {{ ref "core.deals" }}
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
