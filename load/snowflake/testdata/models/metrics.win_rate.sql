-- metrics.win_rate (sql/metrics/win_rate.sql, table)
SELECT
    CAST(DATE_TRUNC('month', close_date) AS DATE) AS close_month,
    source_system,
    sum(CASE WHEN is_won THEN 1 ELSE 0 END) AS deals_won,
    sum(CASE WHEN is_won THEN 0 ELSE 1 END) AS deals_lost,
    count(*) AS deals_closed,
    sum(CASE WHEN is_won THEN coalesce(amount, 0) ELSE 0 END) AS won_amount,
    sum(CASE WHEN is_won THEN 0 ELSE coalesce(amount, 0) END) AS lost_amount,
    sum(CASE WHEN is_won THEN 1 ELSE 0 END) * 1.0 / count(*) AS win_rate,
    sum(CASE WHEN is_won THEN coalesce(amount, 0) ELSE 0 END) * 1.0
        / nullif(sum(coalesce(amount, 0)), 0) AS win_rate_amount
FROM "CORE"."DEALS"
WHERE is_closed
GROUP BY 1, 2
