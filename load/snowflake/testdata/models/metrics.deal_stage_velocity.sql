-- metrics.deal_stage_velocity (sql/metrics/deal_stage_velocity.sql, table)
SELECT
    h.source_system,
    h.stage,
    min(h.stage_order) AS stage_order,
    count(h.exited_at) AS stints_finished,
    avg(h.days_in_stage) AS avg_days_in_stage,
    median(h.days_in_stage) AS median_days_in_stage,
    max(h.days_in_stage) AS max_days_in_stage,
    sum(CASE WHEN h.is_current THEN 1 ELSE 0 END) AS deals_in_stage_now
FROM "CORE"."DEAL_STAGE_HISTORY" AS h
GROUP BY h.source_system, h.stage
