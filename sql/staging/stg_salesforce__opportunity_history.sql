-- Salesforce OpportunityHistory: one row per change of an opportunity's
-- stage, amount, probability or close date, as the platform recorded it
-- (changed_at = the history row's CreatedDate).
-- config: materialized=view
-- test: unique opportunity_history_id
-- test: not_null opportunity_id
-- test: not_null changed_at; severity=warn
SELECT
    Id               AS opportunity_history_id,
    OpportunityId    AS opportunity_id,
    StageName        AS stage_name,
    Amount           AS amount,
    ExpectedRevenue  AS expected_revenue,
    Probability      AS probability,
    CloseDate        AS close_date,
    ForecastCategory AS forecast_category,
    PrevAmount       AS previous_amount,
    PrevCloseDate    AS previous_close_date,
    CreatedById      AS changed_by_id,
    CreatedDate      AS changed_at,
    _extracted_at    AS extracted_at
FROM {{ source "salesforce" "opportunityhistory" }}
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
