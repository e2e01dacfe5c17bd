-- metrics.stage_conversion (sql/metrics/stage_conversion.sql, table)
WITH reach AS (
    -- Per deal: the furthest open stage it entered, and whether it is won or lost.
    SELECT
        deal_id,
        max(CASE WHEN NOT is_closed THEN stage_order END) AS furthest_open_order,
        max(CASE WHEN is_closed AND is_won THEN 1 ELSE 0 END) AS won,
        max(CASE WHEN is_current AND is_closed AND NOT is_won THEN 1 ELSE 0 END) AS lost
    FROM "CORE"."DEAL_STAGE_HISTORY"
    GROUP BY deal_id
),

entered AS (
    SELECT DISTINCT deal_id, source_system, stage, stage_order
    FROM "CORE"."DEAL_STAGE_HISTORY"
    WHERE NOT is_closed
)

SELECT
    e.source_system,
    e.stage,
    e.stage_order,
    count(*) AS deals_entered,
    sum(CASE WHEN r.won = 1 OR r.furthest_open_order > e.stage_order THEN 1 ELSE 0 END) AS deals_advanced,
    sum(CASE WHEN r.lost = 1 AND r.furthest_open_order = e.stage_order THEN 1 ELSE 0 END) AS deals_lost,
    sum(r.won) AS deals_won,
    sum(CASE WHEN r.won = 1 OR r.furthest_open_order > e.stage_order THEN 1 ELSE 0 END) * 1.0
        / count(*) AS conversion_rate,
    sum(r.won) * 1.0 / count(*) AS win_rate
FROM entered AS e
JOIN reach AS r ON r.deal_id = e.deal_id
GROUP BY e.source_system, e.stage, e.stage_order
