-- metrics.lead_volume_daily_unique: people who became leads, per day: each
-- person (core.leads.person_id, a golden id of identity.persons) counts
-- once, on the day their first lead record was created in either CRM, under
-- that record's system and normalized lead source. A person entered as a
-- lead in both CRMs, or a lead revops copied from one CRM into the other,
-- counts once, on the first day; metrics.lead_volume_daily counts records.
-- Grain: one row per (created_date, source_system, lead_source) of people's
-- first lead records. Summing over source_system counts each person once.
--   leads_created    people whose first lead record was created that day
--   lead_records     the lead records those people have in all CRMs
--   leads_open       of those people, not converted and open in some CRM
--   leads_converted  of those people, converted in some CRM
-- config: materialized=table
-- test: unique created_date,source_system,lead_source
-- test: not_null leads_created
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
    FROM {{ ref "core.leads" }} AS l
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
