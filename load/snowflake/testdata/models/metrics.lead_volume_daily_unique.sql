-- metrics.lead_volume_daily_unique (sql/metrics/lead_volume_daily_unique.sql, table)
WITH leads AS (
    SELECT
        l.*,
        coalesce(l.person_id, l.lead_id) AS person,
        row_number() OVER (
            PARTITION BY coalesce(l.person_id, l.lead_id)
            ORDER BY l.created_at NULLS LAST, l.lead_id
        ) AS nth,
        count(*) OVER (PARTITION BY coalesce(l.person_id, l.lead_id)) AS records,
        max(CASE WHEN l.status = 'converted' THEN 1 ELSE 0 END)
            OVER (PARTITION BY coalesce(l.person_id, l.lead_id)) AS converted,
        max(CASE WHEN l.is_open THEN 1 ELSE 0 END)
            OVER (PARTITION BY coalesce(l.person_id, l.lead_id)) AS open_somewhere
    FROM "CORE"."LEADS" AS l
)

SELECT
    created_date,
    source_system,
    lead_source,
    count(*) AS leads_created,
    sum(records) AS lead_records,
    sum(CASE WHEN converted = 0 AND open_somewhere = 1 THEN 1 ELSE 0 END) AS leads_open,
    sum(converted) AS leads_converted
FROM leads
WHERE nth = 1
GROUP BY created_date, source_system, lead_source
