-- metrics.ticket_volume_daily (sql/metrics/ticket_volume_daily.sql, table)
WITH events AS (
    SELECT created_date AS day, source_system, priority, 1 AS created, 0 AS closed
    FROM "CORE"."TICKETS"
    UNION ALL
    SELECT CAST(closed_at AS DATE), source_system, priority, 0, 1
    FROM "CORE"."TICKETS"
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
