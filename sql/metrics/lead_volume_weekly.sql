-- metrics.lead_volume_weekly: leads created per week (weeks start on
-- Monday), per source system and normalized lead source.
-- Grain: one row per (week_start, source_system, lead_source) with at
-- least one lead.
--   leads_created    leads created that week
--   leads_open       of those, still open (status new, contacted or qualified)
--   leads_converted  of those, converted
-- config: materialized=table
-- test: unique week_start,source_system,lead_source
-- test: not_null week_start; severity=warn
SELECT
    CAST({{ date_trunc "week" "created_date" }} AS DATE) AS week_start,
    source_system,
    lead_source,
    count(*) AS leads_created,
    sum(CASE WHEN is_open THEN 1 ELSE 0 END) AS leads_open,
    sum(CASE WHEN status = 'converted' THEN 1 ELSE 0 END) AS leads_converted
FROM {{ ref "core.leads" }}
GROUP BY 1, source_system, lead_source
