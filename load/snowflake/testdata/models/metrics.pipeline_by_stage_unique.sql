-- metrics.pipeline_by_stage_unique (sql/metrics/pipeline_by_stage_unique.sql, table)
WITH copies AS (
    SELECT
        d.*,
        coalesce(d.unique_deal_id, d.deal_id) AS deal,
        row_number() OVER (
            PARTITION BY coalesce(d.unique_deal_id, d.deal_id)
            ORDER BY d.updated_at DESC NULLS LAST, d.deal_id
        ) AS nth,
        count(*) OVER (PARTITION BY coalesce(d.unique_deal_id, d.deal_id)) AS records
    FROM "CORE"."DEALS" AS d
),

by_stage AS (
    SELECT
        stage,
        count(*) AS deal_count,
        sum(records) AS deal_records,
        sum(coalesce(amount, 0)) AS total_amount,
        avg(amount) AS avg_amount,
        sum(coalesce(amount, 0) * coalesce(probability, 0) / 100) AS weighted_amount
    FROM copies
    WHERE nth = 1
    GROUP BY stage
)

SELECT
    st.stage,
    st.stage_label,
    st.stage_order,
    st.is_closed,
    st.is_won,
    coalesce(b.deal_count, 0) AS deal_count,
    coalesce(b.deal_records, 0) AS deal_records,
    coalesce(b.total_amount, 0) AS total_amount,
    b.avg_amount,
    coalesce(b.weighted_amount, 0) AS weighted_amount
FROM "SEEDS"."DEAL_STAGES" AS st
LEFT JOIN by_stage AS b ON b.stage = st.stage
