-- core.accounts: one row per company record in any source system
-- (Salesforce Account, Zoho CRM Accounts, Zoho Desk accounts). The same
-- company recorded in two systems is two rows here, with one company_id:
-- the golden id of identity.companies (count distinct company_id to count
-- companies). domain is the website without scheme, "www." and
-- path, lower case: the key the per-account rollups use to find a CRM
-- account's Desk tickets.
-- config: materialized=table; unique_key=account_id
-- test: unique account_id
-- test: not_null account_id
-- test: not_null source_id
-- test: unique source_system,source_id
-- test: accepted_values source_system: salesforce,zoho_crm,zoho_desk
-- test: not_null company_id
-- test: relationships company_id -> identity.companies.company_id
WITH accounts AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        {{ cast "NULL" "varchar" }}        AS source_system,
        {{ cast "NULL" "varchar" }}        AS source_id,
        {{ cast "NULL" "varchar" }}        AS name,
        {{ cast "NULL" "varchar" }}        AS website,
        {{ cast "NULL" "varchar" }}        AS industry,
        {{ cast "NULL" "bigint" }}         AS employees,
        CAST(NULL AS DECIMAL(18, 2)) AS annual_revenue,
        {{ cast "NULL" "varchar" }}        AS phone,
        {{ cast "NULL" "varchar" }}        AS billing_city,
        {{ cast "NULL" "varchar" }}        AS billing_state,
        {{ cast "NULL" "varchar" }}        AS billing_country,
        {{ cast "NULL" "varchar" }}        AS owner_id,
        {{ cast "NULL" "varchar" }}        AS owner_name,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "timestamp" }} AS updated_at
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
    a.source_system || ':' || a.source_id AS account_id,
    a.source_system,
    a.source_id,
    x.golden_id AS company_id,
    a.name,
    a.website,
    nullif({{ regexp_replace "lower(trim(a.website))" `'^(https?://)?(www\.)?|/.*$'` "''" }}, '') AS domain,
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
LEFT JOIN {{ ref "identity.crosswalk" }} AS x
    ON x.record_id = a.source_system || ':' || CASE a.source_system
        WHEN 'salesforce' THEN 'Account' WHEN 'zoho_crm' THEN 'Accounts' ELSE 'accounts' END
        || ':' || a.source_id
