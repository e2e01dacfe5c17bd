-- metrics.ticket_backlog: the open tickets now, per source system,
-- normalized priority and status.
-- Grain: one row per (source_system, priority, status) with at least one
-- open ticket.
--   open_tickets         tickets not closed
--   overdue_tickets      of those, past their due time
--   unanswered_tickets   of those, without a first response
--   avg_age_days         average days since they were created
--   oldest_created_at    creation time of the oldest
-- config: materialized=table
-- test: unique source_system,priority,status
-- test: accepted_values status: open,on_hold,escalated; severity=warn
-- test: accepted_values priority: urgent,high,medium,low; severity=warn
SELECT
    source_system,
    priority,
    min(priority_order) AS priority_order,
    status,
    count(*) AS open_tickets,
    sum(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS overdue_tickets,
    sum(CASE WHEN first_response_at IS NULL THEN 1 ELSE 0 END) AS unanswered_tickets,
    avg({{ datediff "hour" "created_at" "now_" }} / 24.0) AS avg_age_days,
    min(created_at) AS oldest_created_at
FROM (
    SELECT t.*, {{ now }} AS now_
    FROM {{ ref "core.tickets" }} AS t
    WHERE NOT t.is_closed
) AS open_tickets
GROUP BY source_system, priority, status
