-- metrics.lead_volume_weekly_unique (sql/metrics/lead_volume_weekly_unique.sql, table)
SELECT
    CAST(DATE_TRUNC('week', created_date) AS DATE) AS week_start,
    source_system,
    lead_source,
    sum(leads_created) AS leads_created,
    sum(lead_records) AS lead_records,
    sum(leads_open) AS leads_open,
    sum(leads_converted) AS leads_converted
FROM "METRICS"."LEAD_VOLUME_DAILY_UNIQUE"
GROUP BY 1, source_system, lead_source
