-- staging.stg_zoho_crm__accounts (sql/staging/stg_zoho_crm__accounts.sql, view)
SELECT
    id                   AS account_id,
    Account_Name         AS name,
    Account_Number       AS account_number,
    Account_Type         AS account_type,
    Account_Site         AS account_site,
    GET(Parent_Account, 'id')::VARCHAR    AS parent_account_id,
    Industry             AS industry,
    Rating               AS rating,
    Ownership            AS ownership,
    Annual_Revenue       AS annual_revenue,
    Employees            AS employees,
    Phone                AS phone,
    Website              AS website,
    Billing_Street       AS billing_street,
    Billing_City         AS billing_city,
    Billing_State        AS billing_state,
    Billing_Code         AS billing_postal_code,
    Billing_Country      AS billing_country,
    Salesforce_Id        AS salesforce_id,
    GET(Owner, 'id')::VARCHAR             AS owner_id,
    GET(Owner, 'name')::VARCHAR           AS owner_name,
    Created_Time         AS created_at,
    Modified_Time        AS updated_at,
    Last_Activity_Time   AS last_activity_at,
    _extracted_at        AS extracted_at
FROM "ZOHO_CRM"."ACCOUNTS"
WHERE _deleted_at IS NULL
