-- metrics.ticket_response_times (sql/metrics/ticket_response_times.sql, table)
SELECT
    source_system,
    priority,
    min(priority_order) AS priority_order,
    count(*) AS tickets,
    count(first_response_hours) AS tickets_responded,
    avg(first_response_hours) AS avg_first_response_hours,
    median(first_response_hours) AS median_first_response_hours,
    count(resolution_hours) AS tickets_resolved,
    avg(resolution_hours) AS avg_resolution_hours,
    median(resolution_hours) AS median_resolution_hours,
    sum(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS overdue_tickets
FROM "CORE"."TICKETS"
GROUP BY source_system, priority
