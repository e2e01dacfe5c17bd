-- metrics.lead_volume_weekly (sql/metrics/lead_volume_weekly.sql, table)
SELECT
    CAST(DATE_TRUNC('week', created_date) AS DATE) AS week_start,
    source_system,
    lead_source,
    count(*) AS leads_created,
    sum(CASE WHEN is_open THEN 1 ELSE 0 END) AS leads_open,
    sum(CASE WHEN status = 'converted' THEN 1 ELSE 0 END) AS leads_converted
FROM "CORE"."LEADS"
GROUP BY 1, source_system, lead_source
