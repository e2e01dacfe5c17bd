-- metrics.deal_stage_velocity: how long deals stay in each normalized
-- stage, from core.deal_stage_history (Salesforce OpportunityHistory, Zoho
-- Stage_History, or the extract's version tables).
-- Grain: one row per (source_system, stage) with at least one stint.
--   stints_finished        stints that ended (the deal moved on)
--   avg_days_in_stage      average length of the finished stints, in days
--   median_days_in_stage   their median
--   max_days_in_stage      the longest finished stint
--   deals_in_stage_now     deals whose current stage this is
-- config: materialized=table
-- test: unique source_system,stage
-- test: accepted_values stage: prospecting,qualification,needs_analysis,value_proposition,proposal,negotiation,closed_won,closed_lost; severity=warn
SELECT
    h.source_system,
    h.stage,
    min(h.stage_order) AS stage_order,
    count(h.exited_at) AS stints_finished,
    avg(h.days_in_stage) AS avg_days_in_stage,
    {{ median "h.days_in_stage" }} AS median_days_in_stage,
    max(h.days_in_stage) AS max_days_in_stage,
    sum(CASE WHEN h.is_current THEN 1 ELSE 0 END) AS deals_in_stage_now
FROM {{ ref "core.deal_stage_history" }} AS h
GROUP BY h.source_system, h.stage
