-- metrics.deal_days_to_close (sql/metrics/deal_days_to_close.sql, table)
SELECT
    CAST(DATE_TRUNC('month', close_date) AS DATE) AS close_month,
    source_system,
    CASE WHEN is_won THEN 'won' ELSE 'lost' END AS outcome,
    count(*) AS deals,
    sum(coalesce(amount, 0)) AS total_amount,
    avg(days_to_close) AS avg_days_to_close,
    median(days_to_close) AS median_days_to_close
FROM "CORE"."DEALS"
WHERE is_closed
GROUP BY 1, 2, 3
