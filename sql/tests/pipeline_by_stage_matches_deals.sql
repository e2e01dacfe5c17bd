-- metrics.pipeline_by_stage accounts for every deal of core.deals once.
-- Failing rows: systems whose deal counts or amounts differ.
-- A warning: a deal whose stage label no seed maps (core.deals.stage NULL)
-- is in no stage of the metric.
-- config: severity=warn
SELECT p.source_system, p.deal_count, d.deal_count AS deals
FROM (
    SELECT source_system, sum(deal_count) AS deal_count, sum(total_amount) AS total_amount
    FROM {{ ref "metrics.pipeline_by_stage" }}
    GROUP BY source_system
) AS p
JOIN (
    SELECT source_system, count(*) AS deal_count, sum(coalesce(amount, 0)) AS total_amount
    FROM {{ ref "core.deals" }}
    GROUP BY source_system
) AS d ON d.source_system = p.source_system
WHERE p.deal_count <> d.deal_count OR p.total_amount <> d.total_amount
