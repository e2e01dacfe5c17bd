-- identity.company_input: every company record of the CRMs, one row each,
-- in the roles the matcher compares (Salesforce Accounts, Zoho CRM
-- Accounts, Zoho Desk accounts). record_id is <system>:<object>:<source id>
-- (salesforce:Account:001..., zoho_crm:Accounts:..., zoho_desk:accounts:...).
-- The company's name is in the role `company`; person roles are NULL.
-- Values are as the CRM holds them, trimmed, with empty text as NULL.
-- Columns after created_at are not matched: survivorship fills golden
-- fields from them. Leads' company names are not company records.
-- Reads the staging views, never core: core models join identity.crosswalk.
-- config: materialized=table
-- test: unique record_id
-- test: not_null record_id
-- test: not_null source
-- test: accepted_values source: salesforce,zoho_crm,zoho_desk
WITH companies AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        {{ cast "NULL" "varchar" }} AS source,
        {{ cast "NULL" "varchar" }} AS object,
        {{ cast "NULL" "varchar" }} AS source_id,
        {{ cast "NULL" "varchar" }} AS name,
        {{ cast "NULL" "varchar" }} AS email,
        {{ cast "NULL" "varchar" }} AS phone,
        {{ cast "NULL" "varchar" }} AS city,
        {{ cast "NULL" "varchar" }} AS postcode,
        {{ cast "NULL" "varchar" }} AS address,
        {{ cast "NULL" "varchar" }} AS country,
        {{ cast "NULL" "varchar" }} AS website,
        {{ cast "NULL" "timestamp" }} AS updated_at,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "varchar" }} AS state,
        {{ cast "NULL" "varchar" }} AS industry,
        {{ cast "NULL" "bigint" }}  AS employees,
        {{ cast "NULL" "double" }}  AS annual_revenue
    WHERE 1 = 0
{{- if source_exists "salesforce" "account" }}

    UNION ALL
    SELECT
        'salesforce', 'Account', account_id, name, NULL, phone, billing_city, billing_postal_code,
        billing_street, billing_country, website, updated_at, created_at,
        billing_state, industry, employees, annual_revenue
    FROM {{ ref "stg_salesforce__account" }}
{{- end }}
{{- if source_exists "zoho_crm" "accounts" }}

    UNION ALL
    SELECT
        'zoho_crm', 'Accounts', account_id, name, NULL, phone, billing_city, billing_postal_code,
        billing_street, billing_country, website, updated_at, created_at,
        billing_state, industry, employees, annual_revenue
    FROM {{ ref "stg_zoho_crm__accounts" }}
{{- end }}
{{- if source_exists "zoho_desk" "accounts" }}

    UNION ALL
    SELECT
        'zoho_desk', 'accounts', account_id, name, email, phone, city, postal_code,
        street, country, website, updated_at, created_at,
        state, industry, NULL, annual_revenue
    FROM {{ ref "stg_zoho_desk__accounts" }}
{{- end }}
)

SELECT
    source || ':' || object || ':' || source_id AS record_id,
    source,
    object,
    source_id,
    {{ cast "NULL" "varchar" }}      AS first_name,
    {{ cast "NULL" "varchar" }}      AS last_name,
    {{ cast "NULL" "varchar" }}      AS full_name,
    nullif(trim(email), '')    AS email,
    nullif(trim(phone), '')    AS phone,
    nullif(trim(name), '')     AS company,
    nullif(trim(city), '')     AS city,
    nullif(trim(postcode), '') AS postcode,
    nullif(trim(address), '')  AS address,
    nullif(trim(country), '')  AS country,
    nullif(trim(website), '')  AS website,
    {{ cast "NULL" "varchar" }}      AS date_of_birth,
    updated_at,
    created_at,
    nullif(trim(state), '')    AS state,
    nullif(trim(industry), '') AS industry,
    CASE WHEN employees > 0 THEN employees END           AS employees,
    CASE WHEN annual_revenue > 0 THEN annual_revenue END AS annual_revenue
FROM companies
WHERE source_id IS NOT NULL
