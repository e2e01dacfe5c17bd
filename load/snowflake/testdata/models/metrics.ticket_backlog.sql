-- metrics.ticket_backlog (sql/metrics/ticket_backlog.sql, table)
SELECT
    source_system,
    priority,
    min(priority_order) AS priority_order,
    status,
    count(*) AS open_tickets,
    sum(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS overdue_tickets,
    sum(CASE WHEN first_response_at IS NULL THEN 1 ELSE 0 END) AS unanswered_tickets,
    avg(DATEDIFF(hour, created_at, now_) / 24.0) AS avg_age_days,
    min(created_at) AS oldest_created_at
FROM (
    SELECT t.*, CURRENT_TIMESTAMP() AS now_
    FROM "CORE"."TICKETS" AS t
    WHERE NOT t.is_closed
) AS open_tickets
GROUP BY source_system, priority, status
