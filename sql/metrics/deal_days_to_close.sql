-- metrics.deal_days_to_close: how long closed deals took, from the day
-- they were created to their close date, per close month and outcome.
-- Grain: one row per (close_month, source_system, outcome) with at least
-- one closed deal; outcome is 'won' or 'lost'. close_month is the first
-- day of the month.
--   deals                  deals closed that month with that outcome
--   total_amount           their amount
--   avg_days_to_close      average days from creation to close
--   median_days_to_close   median of the same
-- config: materialized=table
-- test: unique close_month,source_system,outcome
-- test: accepted_values outcome: won,lost
SELECT
    CAST({{ date_trunc "month" "close_date" }} AS DATE) AS close_month,
    source_system,
    CASE WHEN is_won THEN 'won' ELSE 'lost' END AS outcome,
    count(*) AS deals,
    sum(coalesce(amount, 0)) AS total_amount,
    avg(days_to_close) AS avg_days_to_close,
    {{ median "days_to_close" }} AS median_days_to_close
FROM {{ ref "core.deals" }}
WHERE is_closed
GROUP BY 1, 2, 3
