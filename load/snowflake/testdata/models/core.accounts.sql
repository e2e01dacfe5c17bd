-- core.accounts (sql/core/accounts.sql, table)
WITH accounts AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR)        AS source_system,
        CAST(NULL AS VARCHAR)        AS source_id,
        CAST(NULL AS VARCHAR)        AS name,
        CAST(NULL AS VARCHAR)        AS website,
        CAST(NULL AS VARCHAR)        AS industry,
        CAST(NULL AS NUMBER(38,0))         AS employees,
        CAST(NULL AS DECIMAL(18, 2)) AS annual_revenue,
        CAST(NULL AS VARCHAR)        AS phone,
        CAST(NULL AS VARCHAR)        AS billing_city,
        CAST(NULL AS VARCHAR)        AS billing_state,
        CAST(NULL AS VARCHAR)        AS billing_country,
        CAST(NULL AS VARCHAR)        AS owner_id,
        CAST(NULL AS VARCHAR)        AS owner_name,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at
    WHERE 1 = 0

    UNION ALL
    SELECT
        'salesforce', a.account_id, a.name, a.website, a.industry, a.employees, a.annual_revenue,
        a.phone, a.billing_city, a.billing_state, a.billing_country, a.owner_id,
        u.full_name,
        a.created_at, a.updated_at
    FROM "STAGING"."STG_SALESFORCE__ACCOUNT" AS a
    LEFT JOIN "STAGING"."STG_SALESFORCE__USER" AS u ON u.user_id = a.owner_id

    UNION ALL
    SELECT
        'zoho_crm', account_id, name, website, industry, employees, annual_revenue,
        phone, billing_city, billing_state, billing_country, owner_id, owner_name,
        created_at, updated_at
    FROM "STAGING"."STG_ZOHO_CRM__ACCOUNTS"

    UNION ALL
    SELECT
        'zoho_desk', account_id, name, website, industry, NULL, annual_revenue,
        phone, city, state, country, owner_id, NULL,
        created_at, updated_at
    FROM "STAGING"."STG_ZOHO_DESK__ACCOUNTS"
)

SELECT
    a.source_system || ':' || a.source_id AS account_id,
    a.source_system,
    a.source_id,
    x.golden_id AS company_id,
    a.name,
    a.website,
    nullif(REGEXP_REPLACE(lower(trim(a.website)), '^(https?://)?(www\\.)?|/.*$', ''), '') AS domain,
    a.industry,
    a.employees,
    a.annual_revenue,
    a.phone,
    a.billing_city,
    a.billing_state,
    a.billing_country,
    a.owner_id,
    a.owner_name,
    a.created_at,
    a.updated_at
FROM accounts AS a
LEFT JOIN "IDENTITY"."CROSSWALK" AS x
    ON x.record_id = a.source_system || ':' || CASE a.source_system
        WHEN 'salesforce' THEN 'Account' WHEN 'zoho_crm' THEN 'Accounts' ELSE 'accounts' END
        || ':' || a.source_id
