-- metrics.ticket_volume_daily: tickets opened and closed per day, per
-- source system and normalized priority.
-- Grain: one row per (day, source_system, priority) with at least one
-- ticket opened or closed that day.
--   tickets_created   tickets created that day
--   tickets_closed    tickets closed that day (whenever they were created)
-- config: materialized=table
-- test: unique day,source_system,priority
-- test: not_null day; severity=warn
-- test: accepted_values priority: urgent,high,medium,low; severity=warn
WITH events AS (
    SELECT created_date AS day, source_system, priority, 1 AS created, 0 AS closed
    FROM {{ ref "core.tickets" }}
    UNION ALL
    SELECT CAST(closed_at AS DATE), source_system, priority, 0, 1
    FROM {{ ref "core.tickets" }}
    WHERE closed_at IS NOT NULL
)

SELECT
    day,
    source_system,
    priority,
    sum(created) AS tickets_created,
    sum(closed) AS tickets_closed
FROM events
GROUP BY day, source_system, priority
