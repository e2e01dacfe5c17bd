-- metrics.lead_volume_weekly_unique: people who became leads, per week
-- (weeks start on Monday): each person (core.leads.person_id) counts once,
-- in the week their first lead record was created in either CRM, under that
-- record's system and normalized lead source (see
-- metrics.lead_volume_daily_unique; metrics.lead_volume_weekly counts
-- records).
-- Grain: one row per (week_start, source_system, lead_source).
--   leads_created    people whose first lead record was created that week
--   lead_records     the lead records those people have in all CRMs
--   leads_open       of those people, not converted and open in some CRM
--   leads_converted  of those people, converted in some CRM
-- config: materialized=table
-- test: unique week_start,source_system,lead_source
SELECT
    CAST({{ date_trunc "week" "created_date" }} AS DATE) AS week_start,
    source_system,
    lead_source,
    sum(leads_created) AS leads_created,
    sum(lead_records) AS lead_records,
    sum(leads_open) AS leads_open,
    sum(leads_converted) AS leads_converted
FROM {{ ref "metrics.lead_volume_daily_unique" }}
GROUP BY 1, source_system, lead_source
