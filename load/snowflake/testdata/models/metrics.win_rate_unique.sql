-- metrics.win_rate_unique (sql/metrics/win_rate_unique.sql, table)
WITH copies AS (
    SELECT
        d.*,
        row_number() OVER (
            PARTITION BY coalesce(d.unique_deal_id, d.deal_id)
            ORDER BY d.updated_at DESC NULLS LAST, d.deal_id
        ) AS nth
    FROM "CORE"."DEALS" AS d
)

SELECT
    CAST(DATE_TRUNC('month', close_date) AS DATE) AS close_month,
    sum(CASE WHEN is_won THEN 1 ELSE 0 END) AS deals_won,
    sum(CASE WHEN is_won THEN 0 ELSE 1 END) AS deals_lost,
    count(*) AS deals_closed,
    sum(CASE WHEN is_won THEN coalesce(amount, 0) ELSE 0 END) AS won_amount,
    sum(CASE WHEN is_won THEN 0 ELSE coalesce(amount, 0) END) AS lost_amount,
    sum(CASE WHEN is_won THEN 1 ELSE 0 END) * 1.0 / count(*) AS win_rate,
    sum(CASE WHEN is_won THEN coalesce(amount, 0) ELSE 0 END) * 1.0
        / nullif(sum(coalesce(amount, 0)), 0) AS win_rate_amount
FROM copies
WHERE nth = 1 AND is_closed
GROUP BY 1
