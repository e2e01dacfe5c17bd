-- staging.stg_salesforce__campaign (sql/staging/stg_salesforce__campaign.sql, view)
SELECT
    Id                    AS campaign_id,
    Name                  AS name,
    Type                  AS campaign_type,
    Status                AS status,
    StartDate             AS start_date,
    EndDate               AS end_date,
    coalesce(IsActive, false) AS is_active,
    BudgetedCost          AS budgeted_cost,
    ActualCost            AS actual_cost,
    ExpectedRevenue       AS expected_revenue,
    ParentId              AS parent_campaign_id,
    NumberOfLeads         AS number_of_leads,
    NumberOfContacts      AS number_of_contacts,
    NumberOfResponses     AS number_of_responses,
    NumberOfOpportunities AS number_of_opportunities,
    OwnerId               AS owner_id,
    CreatedDate           AS created_at,
    LastModifiedDate      AS updated_at,
    _extracted_at         AS extracted_at
FROM "SALESFORCE"."CAMPAIGN"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
