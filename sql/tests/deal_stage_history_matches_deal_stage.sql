-- A deal's current stint in core.deal_stage_history is the deal's current
-- stage in core.deals. Failing rows: deals whose history ends elsewhere.
-- A warning: a deal changed between the extract of its record and of its
-- history disagrees until the next run.
-- config: severity=warn
SELECT d.deal_id, d.stage, h.stage AS history_stage
FROM {{ ref "core.deals" }} AS d
JOIN {{ ref "core.deal_stage_history" }} AS h
    ON h.deal_id = d.deal_id AND h.is_current
WHERE h.stage <> d.stage
