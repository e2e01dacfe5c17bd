-- metrics.ticket_response_times (sql/metrics/ticket_response_times.sql)
SELECT
    source_system,
    priority,
    min(priority_order) AS priority_order,
    count(*) AS tickets,
    count(first_response_hours) AS tickets_responded,
    avg(first_response_hours) AS avg_first_response_hours,
    APPROX_QUANTILES(first_response_hours, 2)[OFFSET(1)] AS median_first_response_hours,
    count(resolution_hours) AS tickets_resolved,
    avg(resolution_hours) AS avg_resolution_hours,
    APPROX_QUANTILES(resolution_hours, 2)[OFFSET(1)] AS median_resolution_hours,
    sum(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS overdue_tickets
FROM `core`.`tickets`
GROUP BY source_system, priority
