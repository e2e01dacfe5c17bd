-- metrics.ticket_response_times: first-response and resolution times per
-- source system and normalized priority, over all tickets.
-- Grain: one row per (source_system, priority).
--   tickets                          tickets created
--   tickets_responded                of those, with a first response
--   avg_first_response_hours         average hours from creation to first response
--   median_first_response_hours      median of the same
--   tickets_resolved                 tickets closed
--   avg_resolution_hours             average hours from creation to closing
--   median_resolution_hours          median of the same
--   overdue_tickets                  tickets closed after, or open past, their due time
-- config: materialized=table
-- test: unique source_system,priority
-- test: accepted_values priority: urgent,high,medium,low; severity=warn
SELECT
    source_system,
    priority,
    min(priority_order) AS priority_order,
    count(*) AS tickets,
    count(first_response_hours) AS tickets_responded,
    avg(first_response_hours) AS avg_first_response_hours,
    {{ median "first_response_hours" }} AS median_first_response_hours,
    count(resolution_hours) AS tickets_resolved,
    avg(resolution_hours) AS avg_resolution_hours,
    {{ median "resolution_hours" }} AS median_resolution_hours,
    sum(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS overdue_tickets
FROM {{ ref "core.tickets" }}
GROUP BY source_system, priority
