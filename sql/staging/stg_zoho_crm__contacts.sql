-- Zoho CRM contacts: one row per live record of the Contacts module
-- (deleted rows filtered).
-- config: materialized=view
-- test: unique contact_id
-- test: not_null contact_id
SELECT
    id                   AS contact_id,
    {{ field "Account_Name" "id" }}      AS account_id,
    {{ field "Account_Name" "name" }}    AS account_name,
    First_Name           AS first_name,
    Last_Name            AS last_name,
    Full_Name            AS full_name,
    Salutation           AS salutation,
    Title                AS title,
    Department           AS department,
    Email                AS email,
    Secondary_Email      AS secondary_email,
    Phone                AS phone,
    Mobile               AS mobile,
    Lead_Source          AS lead_source,
    Mailing_Street       AS mailing_street,
    Mailing_City         AS mailing_city,
    Mailing_State        AS mailing_state,
    Mailing_Zip          AS mailing_postal_code,
    Mailing_Country      AS mailing_country,
    Date_of_Birth        AS birthdate,
    coalesce(Email_Opt_Out, false) AS email_opt_out,
    {{ field "Reporting_To" "id" }}      AS reports_to_id,
    Salesforce_Id        AS salesforce_id,
    {{ field "Owner" "id" }}             AS owner_id,
    {{ field "Owner" "name" }}           AS owner_name,
    Created_Time         AS created_at,
    Modified_Time        AS updated_at,
    Last_Activity_Time   AS last_activity_at,
    _extracted_at        AS extracted_at
FROM {{ source "zoho_crm" "contacts" }}
WHERE _deleted_at IS NULL
