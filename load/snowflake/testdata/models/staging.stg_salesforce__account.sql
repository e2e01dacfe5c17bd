-- staging.stg_salesforce__account (sql/staging/stg_salesforce__account.sql, view)
SELECT
    Id                 AS account_id,
    Name               AS name,
    AccountNumber      AS account_number,
    Type               AS account_type,
    Industry           AS industry,
    Rating             AS rating,
    AccountSource      AS account_source,
    AnnualRevenue      AS annual_revenue,
    NumberOfEmployees  AS employees,
    Phone              AS phone,
    Website            AS website,
    ParentId           AS parent_account_id,
    BillingStreet      AS billing_street,
    BillingCity        AS billing_city,
    BillingState       AS billing_state,
    BillingPostalCode  AS billing_postal_code,
    BillingCountry     AS billing_country,
    OwnerId            AS owner_id,
    CreatedDate        AS created_at,
    LastModifiedDate   AS updated_at,
    _extracted_at      AS extracted_at
FROM "SALESFORCE"."ACCOUNT"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
