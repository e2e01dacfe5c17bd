-- metrics.win_rate_unique: won against lost deals per close month, each
-- deal counted once however many CRMs hold a copy of it
-- (core.deals.unique_deal_id), with the close date, outcome and amount of
-- its most recently updated copy. metrics.win_rate counts records per
-- system. For a period longer than a month, add up deals_won and
-- deals_closed first and divide then.
-- Grain: one row per close_month with at least one closed deal.
--   deals_won, deals_lost, deals_closed   counts of closed deals
--   won_amount, lost_amount               their amounts
--   win_rate            deals_won / deals_closed
--   win_rate_amount     won_amount / (won_amount + lost_amount)
-- config: materialized=table
-- test: unique close_month
-- test: not_null win_rate
WITH copies AS (
    SELECT
        d.*,
        row_number() OVER (
            PARTITION BY coalesce(d.unique_deal_id, d.deal_id)
            ORDER BY d.updated_at DESC NULLS LAST, d.deal_id
        ) AS nth
    FROM {{ ref "core.deals" }} AS d
)

SELECT
    CAST({{ date_trunc "month" "close_date" }} AS DATE) AS close_month,
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
