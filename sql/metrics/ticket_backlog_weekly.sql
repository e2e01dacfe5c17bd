-- metrics.ticket_backlog_weekly: the support backlog over time: tickets
-- opened and closed each week (weeks start on Monday) and how many were
-- still open at the end of the week, per source system and priority.
-- Grain: one row per (week_start, source_system, priority), for every week
-- from the first ticket on in which any ticket was opened or closed.
--   tickets_created    tickets created that week
--   tickets_closed     tickets closed that week
--   open_at_week_end   tickets created by the end of the week and not closed by then
-- config: materialized=table
-- test: unique week_start,source_system,priority
-- test: not_null open_at_week_end
WITH events AS (
    SELECT CAST({{ date_trunc "week" "created_at" }} AS DATE) AS week_start,
           source_system, priority, 1 AS created, 0 AS closed
    FROM {{ ref "core.tickets" }}
    UNION ALL
    SELECT CAST({{ date_trunc "week" "closed_at" }} AS DATE), source_system, priority, 0, 1
    FROM {{ ref "core.tickets" }}
    WHERE closed_at IS NOT NULL
),

weeks AS (
    SELECT DISTINCT week_start FROM events
),

series AS (
    SELECT DISTINCT source_system, priority FROM events
),

weekly AS (
    SELECT
        w.week_start,
        s.source_system,
        s.priority,
        coalesce(sum(e.created), 0) AS tickets_created,
        coalesce(sum(e.closed), 0) AS tickets_closed
    FROM weeks AS w
    CROSS JOIN series AS s
    LEFT JOIN events AS e
        ON e.week_start = w.week_start
       AND e.source_system = s.source_system
       AND e.priority IS NOT DISTINCT FROM s.priority
    GROUP BY w.week_start, s.source_system, s.priority
)

SELECT
    week_start,
    source_system,
    priority,
    tickets_created,
    tickets_closed,
    sum(tickets_created - tickets_closed) OVER (
        PARTITION BY source_system, priority ORDER BY week_start
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS open_at_week_end
FROM weekly
