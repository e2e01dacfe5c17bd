-- staging.stg_salesforce__opportunity_history (sql/staging/stg_salesforce__opportunity_history.sql, view)
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
FROM "SALESFORCE"."OPPORTUNITYHISTORY"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
