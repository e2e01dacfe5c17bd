-- metrics.lead_volume_daily (sql/metrics/lead_volume_daily.sql, table)
SELECT
    created_date,
    source_system,
    lead_source,
    count(*) AS leads_created,
    sum(CASE WHEN is_open THEN 1 ELSE 0 END) AS leads_open,
    sum(CASE WHEN status = 'converted' THEN 1 ELSE 0 END) AS leads_converted
FROM "CORE"."LEADS"
GROUP BY created_date, source_system, lead_source
