-- metrics.pipeline_by_stage (sql/metrics/pipeline_by_stage.sql, table)
WITH systems AS (
    SELECT DISTINCT source_system FROM "CORE"."DEALS"
),

by_stage AS (
    SELECT
        source_system,
        stage,
        count(*) AS deal_count,
        sum(coalesce(amount, 0)) AS total_amount,
        avg(amount) AS avg_amount,
        sum(coalesce(amount, 0) * coalesce(probability, 0) / 100) AS weighted_amount
    FROM "CORE"."DEALS"
    GROUP BY source_system, stage
)

SELECT
    sy.source_system,
    st.stage,
    st.stage_label,
    st.stage_order,
    st.is_closed,
    st.is_won,
    coalesce(b.deal_count, 0) AS deal_count,
    coalesce(b.total_amount, 0) AS total_amount,
    b.avg_amount,
    coalesce(b.weighted_amount, 0) AS weighted_amount
FROM systems AS sy
CROSS JOIN "SEEDS"."DEAL_STAGES" AS st
LEFT JOIN by_stage AS b ON b.source_system = sy.source_system AND b.stage = st.stage
