-- core.accounts: one row per company record in any source system
-- (Salesforce Account, Zoho CRM Accounts, Zoho Desk accounts). The same
-- company recorded in two systems is two rows here; golden records are the
-- identity models' job. domain is the website without scheme, "www." and
-- path, lower case: the key the per-account rollups use to find a CRM
-- account's Desk tickets.
-- config: materialized=table; unique_key=account_id
-- test: unique account_id
-- test: not_null account_id
-- test: not_null source_id
-- test: unique source_system,source_id
-- test: accepted_values source_system: salesforce,zoho_crm,zoho_desk
WITH accounts AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR)        AS source_system,
        CAST(NULL AS VARCHAR)        AS source_id,
        CAST(NULL AS VARCHAR)        AS name,
        CAST(NULL AS VARCHAR)        AS website,
        CAST(NULL AS VARCHAR)        AS industry,
        CAST(NULL AS BIGINT)         AS employees,
        CAST(NULL AS DECIMAL(18, 2)) AS annual_revenue,
        CAST(NULL AS VARCHAR)        AS phone,
        CAST(NULL AS VARCHAR)        AS billing_city,
        CAST(NULL AS VARCHAR)        AS billing_state,
        CAST(NULL AS VARCHAR)        AS billing_country,
        CAST(NULL AS VARCHAR)        AS owner_id,
        CAST(NULL AS VARCHAR)        AS owner_name,
        CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS created_at,
        CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS updated_at
    WHERE 1 = 0
{{- if source_exists "salesforce" "account" }}

    UNION ALL
    SELECT
        'salesforce', a.account_id, a.name, a.website, a.industry, a.employees, a.annual_revenue,
        a.phone, a.billing_city, a.billing_state, a.billing_country, a.owner_id,
        {{ if source_exists "salesforce" "user" }}u.full_name{{ else }}NULL{{ end }},
        a.created_at, a.updated_at
    FROM {{ ref "stg_salesforce__account" }} AS a
    {{- if source_exists "salesforce" "user" }}
    LEFT JOIN {{ ref "stg_salesforce__user" }} AS u ON u.user_id = a.owner_id
    {{- end }}
{{- end }}
{{- if source_exists "zoho_crm" "accounts" }}

    UNION ALL
    SELECT
        'zoho_crm', account_id, name, website, industry, employees, annual_revenue,
        phone, billing_city, billing_state, billing_country, owner_id, owner_name,
        created_at, updated_at
    FROM {{ ref "stg_zoho_crm__accounts" }}
{{- end }}
{{- if source_exists "zoho_desk" "accounts" }}

    UNION ALL
    SELECT
        'zoho_desk', account_id, name, website, industry, NULL, annual_revenue,
        phone, city, state, country, owner_id, NULL,
        created_at, updated_at
    FROM {{ ref "stg_zoho_desk__accounts" }}
{{- end }}
)

SELECT
    source_system || ':' || source_id AS account_id,
    source_system,
    source_id,
    name,
    website,
    nullif({{ regexp_replace "lower(trim(website))" `'^(https?://)?(www\.)?|/.*$'` "''" }}, '') AS domain,
    industry,
    employees,
    annual_revenue,
    phone,
    billing_city,
    billing_state,
    billing_country,
    owner_id,
    owner_name,
    created_at,
    updated_at
FROM accounts
