-- metrics.pipeline_by_stage: the pipeline as it stands, per normalized
-- stage and source system: how many deals sit in each stage and what they
-- are worth. Closed stages are included (filter on is_closed for the open
-- pipeline).
-- Grain: one row per (source_system, stage) for every stage of
-- seeds.deal_stages and every system with deals; empty stages have 0.
--   deal_count        deals now in the stage
--   total_amount      sum of their amounts (deals without amount count as 0)
--   avg_amount        average amount of the deals that have one
--   weighted_amount   sum of amount x probability / 100
-- config: materialized=table
-- test: unique source_system,stage
-- test: not_null stage
-- test: accepted_values stage: prospecting,qualification,needs_analysis,value_proposition,proposal,negotiation,closed_won,closed_lost; severity=warn
WITH systems AS (
    SELECT DISTINCT source_system FROM {{ ref "core.deals" }}
),

by_stage AS (
    SELECT
        source_system,
        stage,
        count(*) AS deal_count,
        sum(coalesce(amount, 0)) AS total_amount,
        avg(amount) AS avg_amount,
        sum(coalesce(amount, 0) * coalesce(probability, 0) / 100) AS weighted_amount
    FROM {{ ref "core.deals" }}
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
CROSS JOIN {{ ref "seeds.deal_stages" }} AS st
LEFT JOIN by_stage AS b ON b.source_system = sy.source_system AND b.stage = st.stage
