-- staging.stg_salesforce__opportunity (sql/staging/stg_salesforce__opportunity.sql, view)
SELECT
    Id                    AS opportunity_id,
    Name                  AS name,
    AccountId             AS account_id,
    ContactId             AS contact_id,
    StageName             AS stage_name,
    Amount                AS amount,
    Probability           AS probability,
    ExpectedRevenue       AS expected_revenue,
    CloseDate             AS close_date,
    Type                  AS opportunity_type,
    LeadSource            AS lead_source,
    ForecastCategoryName  AS forecast_category,
    NextStep              AS next_step,
    coalesce(IsClosed, false) AS is_closed,
    coalesce(IsWon, false)    AS is_won,
    CampaignId            AS campaign_id,
    OwnerId               AS owner_id,
    CreatedDate           AS created_at,
    LastModifiedDate      AS updated_at,
    _extracted_at         AS extracted_at
FROM "SALESFORCE"."OPPORTUNITY"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
