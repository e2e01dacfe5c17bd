-- metrics.ticket_backlog_weekly (sql/metrics/ticket_backlog_weekly.sql, table)
WITH events AS (
    SELECT CAST(DATE_TRUNC('week', created_at) AS DATE) AS week_start,
           source_system, priority, 1 AS created, 0 AS closed
    FROM "CORE"."TICKETS"
    UNION ALL
    SELECT CAST(DATE_TRUNC('week', closed_at) AS DATE), source_system, priority, 0, 1
    FROM "CORE"."TICKETS"
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
