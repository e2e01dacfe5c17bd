-- Zoho CRM leads: one row per live record of the Leads module (deleted
-- rows filtered). Lookups and owners are STRUCT(name, id) columns in the
-- raw table; here they become <name>_id / <name>_name.
-- config: materialized=view
-- test: unique lead_id
-- test: not_null lead_id
-- test: not_null created_at; severity=warn
SELECT
    id                   AS lead_id,
    First_Name           AS first_name,
    Last_Name            AS last_name,
    Full_Name            AS full_name,
    Salutation           AS salutation,
    Company              AS company,
    Designation          AS title,
    Email                AS email,
    Secondary_Email      AS secondary_email,
    Phone                AS phone,
    Mobile               AS mobile,
    Website              AS website,
    Lead_Status          AS lead_status,
    Lead_Source          AS lead_source,
    Industry             AS industry,
    Rating               AS rating,
    Annual_Revenue       AS annual_revenue,
    No_of_Employees      AS employees,
    Street               AS street,
    City                 AS city,
    State                AS state,
    Zip_Code             AS postal_code,
    Country              AS country,
    coalesce(Email_Opt_Out, false) AS email_opt_out,
    coalesce(Converted__s, false)  AS is_converted,
    Converted_Date_Time  AS converted_at,
    Salesforce_Id        AS salesforce_id,
    {{ field "Owner" "id" }}             AS owner_id,
    {{ field "Owner" "name" }}           AS owner_name,
    Created_Time         AS created_at,
    Modified_Time        AS updated_at,
    Last_Activity_Time   AS last_activity_at,
    _extracted_at        AS extracted_at
FROM {{ source "zoho_crm" "leads" }}
WHERE _deleted_at IS NULL
