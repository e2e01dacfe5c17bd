-- Salesforce leads: one row per live Lead (deleted rows filtered).
-- Columns renamed to snake_case; picklists keep their raw labels here and
-- are normalized in core.leads through the seeds.
-- config: materialized=view
-- test: unique lead_id
-- test: not_null lead_id
-- test: not_null created_at; severity=warn
SELECT
    Id                     AS lead_id,
    FirstName              AS first_name,
    LastName               AS last_name,
    Name                   AS full_name,
    Company                AS company,
    Title                  AS title,
    Email                  AS email,
    Phone                  AS phone,
    MobilePhone            AS mobile,
    Website                AS website,
    Status                 AS status,
    LeadSource             AS lead_source,
    Industry               AS industry,
    Rating                 AS rating,
    AnnualRevenue          AS annual_revenue,
    NumberOfEmployees      AS employees,
    Street                 AS street,
    City                   AS city,
    State                  AS state,
    PostalCode             AS postal_code,
    Country                AS country,
    coalesce(IsConverted, false) AS is_converted,
    ConvertedDate          AS converted_date,
    ConvertedAccountId     AS converted_account_id,
    ConvertedContactId     AS converted_contact_id,
    ConvertedOpportunityId AS converted_opportunity_id,
    OwnerId                AS owner_id,
    CreatedDate            AS created_at,
    LastModifiedDate       AS updated_at,
    SystemModstamp         AS system_modstamp,
    _extracted_at          AS extracted_at
FROM {{ source "salesforce" "lead" }}
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
