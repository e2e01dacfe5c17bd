-- identity.company_input (sql/identity/company_input.sql, table)
WITH companies AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR) AS source,
        CAST(NULL AS VARCHAR) AS object,
        CAST(NULL AS VARCHAR) AS source_id,
        CAST(NULL AS VARCHAR) AS name,
        CAST(NULL AS VARCHAR) AS email,
        CAST(NULL AS VARCHAR) AS phone,
        CAST(NULL AS VARCHAR) AS city,
        CAST(NULL AS VARCHAR) AS postcode,
        CAST(NULL AS VARCHAR) AS address,
        CAST(NULL AS VARCHAR) AS country,
        CAST(NULL AS VARCHAR) AS website,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS VARCHAR) AS state,
        CAST(NULL AS VARCHAR) AS industry,
        CAST(NULL AS NUMBER(38,0))  AS employees,
        CAST(NULL AS DOUBLE)  AS annual_revenue
    WHERE 1 = 0

    UNION ALL
    SELECT
        'salesforce', 'Account', account_id, name, NULL, phone, billing_city, billing_postal_code,
        billing_street, billing_country, website, updated_at, created_at,
        billing_state, industry, employees, annual_revenue
    FROM "STAGING"."STG_SALESFORCE__ACCOUNT"

    UNION ALL
    SELECT
        'zoho_crm', 'Accounts', account_id, name, NULL, phone, billing_city, billing_postal_code,
        billing_street, billing_country, website, updated_at, created_at,
        billing_state, industry, employees, annual_revenue
    FROM "STAGING"."STG_ZOHO_CRM__ACCOUNTS"

    UNION ALL
    SELECT
        'zoho_desk', 'accounts', account_id, name, email, phone, city, postal_code,
        street, country, website, updated_at, created_at,
        state, industry, NULL, annual_revenue
    FROM "STAGING"."STG_ZOHO_DESK__ACCOUNTS"
)

SELECT
    source || ':' || object || ':' || source_id AS record_id,
    source,
    object,
    source_id,
    CAST(NULL AS VARCHAR)      AS first_name,
    CAST(NULL AS VARCHAR)      AS last_name,
    CAST(NULL AS VARCHAR)      AS full_name,
    nullif(trim(email), '')    AS email,
    nullif(trim(phone), '')    AS phone,
    nullif(trim(name), '')     AS company,
    nullif(trim(city), '')     AS city,
    nullif(trim(postcode), '') AS postcode,
    nullif(trim(address), '')  AS address,
    nullif(trim(country), '')  AS country,
    nullif(trim(website), '')  AS website,
    CAST(NULL AS VARCHAR)      AS date_of_birth,
    updated_at,
    created_at,
    nullif(trim(state), '')    AS state,
    nullif(trim(industry), '') AS industry,
    CASE WHEN employees > 0 THEN employees END           AS employees,
    CASE WHEN annual_revenue > 0 THEN annual_revenue END AS annual_revenue
FROM companies
WHERE source_id IS NOT NULL
