-- metrics.lead_volume_daily: leads created per day, per source system and
-- normalized lead source.
-- Grain: one row per (created_date, source_system, lead_source) with at
-- least one lead. Days without leads have no row.
--   leads_created    leads created that day
--   leads_open       of those, still open (status new, contacted or qualified)
--   leads_converted  of those, converted
-- config: materialized=table
-- test: unique created_date,source_system,lead_source
-- test: not_null created_date; severity=warn
-- test: not_null leads_created
SELECT
    created_date,
    source_system,
    lead_source,
    count(*) AS leads_created,
    sum(CASE WHEN is_open THEN 1 ELSE 0 END) AS leads_open,
    sum(CASE WHEN status = 'converted' THEN 1 ELSE 0 END) AS leads_converted
FROM {{ ref "core.leads" }}
GROUP BY created_date, source_system, lead_source
