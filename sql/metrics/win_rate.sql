-- metrics.win_rate: won against lost deals per close month and source
-- system. For a period longer than a month, add up deals_won and
-- deals_closed first and divide then (averaging monthly rates is wrong).
-- Grain: one row per (close_month, source_system) with at least one
-- closed deal; close_month is the first day of the month.
--   deals_won, deals_lost, deals_closed   counts of closed deals
--   won_amount, lost_amount               their amounts
--   win_rate            deals_won / deals_closed
--   win_rate_amount     won_amount / (won_amount + lost_amount)
-- config: materialized=table
-- test: unique close_month,source_system
-- test: not_null win_rate
SELECT
    CAST({{ date_trunc "month" "close_date" }} AS DATE) AS close_month,
    source_system,
    sum(CASE WHEN is_won THEN 1 ELSE 0 END) AS deals_won,
    sum(CASE WHEN is_won THEN 0 ELSE 1 END) AS deals_lost,
    count(*) AS deals_closed,
    sum(CASE WHEN is_won THEN coalesce(amount, 0) ELSE 0 END) AS won_amount,
    sum(CASE WHEN is_won THEN 0 ELSE coalesce(amount, 0) END) AS lost_amount,
    sum(CASE WHEN is_won THEN 1 ELSE 0 END) * 1.0 / count(*) AS win_rate,
    sum(CASE WHEN is_won THEN coalesce(amount, 0) ELSE 0 END) * 1.0
        / nullif(sum(coalesce(amount, 0)), 0) AS win_rate_amount
FROM {{ ref "core.deals" }}
WHERE is_closed
GROUP BY 1, 2
