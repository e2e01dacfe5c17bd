-- core.contacts: one row per contact record in any source system
-- (Salesforce Contact, Zoho CRM Contacts, Zoho Desk contacts), with its
-- account and its lead source normalized through seeds.lead_source_map.
-- person_id is the person's golden id (identity.persons) and company_id
-- the golden id of its account (identity.companies): the same person as a
-- contact in several systems has one person_id.
-- config: materialized=table; unique_key=contact_id
-- test: unique contact_id
-- test: not_null contact_id
-- test: unique source_system,source_id
-- test: accepted_values source_system: salesforce,zoho_crm,zoho_desk
-- test: relationships account_id -> core.accounts.account_id; severity=warn
-- test: not_null person_id
-- test: relationships person_id -> identity.persons.person_id
WITH contacts AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        {{ cast "NULL" "varchar" }} AS source_system,
        {{ cast "NULL" "varchar" }} AS source_id,
        {{ cast "NULL" "varchar" }} AS account_source_id,
        {{ cast "NULL" "varchar" }} AS first_name,
        {{ cast "NULL" "varchar" }} AS last_name,
        {{ cast "NULL" "varchar" }} AS title,
        {{ cast "NULL" "varchar" }} AS email,
        {{ cast "NULL" "varchar" }} AS phone,
        {{ cast "NULL" "varchar" }} AS mobile,
        {{ cast "NULL" "varchar" }} AS lead_source_raw,
        {{ cast "NULL" "varchar" }} AS city,
        {{ cast "NULL" "varchar" }} AS state,
        {{ cast "NULL" "varchar" }} AS country,
        {{ cast "NULL" "varchar" }} AS owner_id,
        {{ cast "NULL" "varchar" }} AS owner_name,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "timestamp" }} AS updated_at
    WHERE 1 = 0
{{- if source_exists "salesforce" "contact" }}

    UNION ALL
    SELECT
        'salesforce', c.contact_id, c.account_id, c.first_name, c.last_name, c.title, c.email,
        c.phone, c.mobile, c.lead_source, c.mailing_city, c.mailing_state, c.mailing_country,
        c.owner_id, {{ if source_exists "salesforce" "user" }}u.full_name{{ else }}NULL{{ end }},
        c.created_at, c.updated_at
    FROM {{ ref "stg_salesforce__contact" }} AS c
    {{- if source_exists "salesforce" "user" }}
    LEFT JOIN {{ ref "stg_salesforce__user" }} AS u ON u.user_id = c.owner_id
    {{- end }}
{{- end }}
{{- if source_exists "zoho_crm" "contacts" }}

    UNION ALL
    SELECT
        'zoho_crm', contact_id, account_id, first_name, last_name, title, email,
        phone, mobile, lead_source, mailing_city, mailing_state, mailing_country,
        owner_id, owner_name, created_at, updated_at
    FROM {{ ref "stg_zoho_crm__contacts" }}
{{- end }}
{{- if source_exists "zoho_desk" "contacts" }}

    UNION ALL
    SELECT
        'zoho_desk', contact_id, account_id, first_name, last_name, title, email,
        phone, mobile, NULL, city, state, country,
        owner_id, NULL, created_at, updated_at
    FROM {{ ref "stg_zoho_desk__contacts" }}
{{- end }}
)

SELECT
    c.source_system || ':' || c.source_id AS contact_id,
    c.source_system,
    c.source_id,
    xp.golden_id AS person_id,
    xc.golden_id AS company_id,
    c.source_system || ':' || c.account_source_id AS account_id,
    c.account_source_id,
    c.first_name,
    c.last_name,
    trim(coalesce(c.first_name || ' ', '') || coalesce(c.last_name, '')) AS full_name,
    c.title,
    c.email,
    lower(trim(c.email)) AS email_normalized,
    c.phone,
    c.mobile,
    c.lead_source_raw,
    CASE
        WHEN c.lead_source_raw IS NULL THEN 'unknown'
        ELSE coalesce(m.lead_source, 'other')
    END AS lead_source,
    c.city,
    c.state,
    c.country,
    c.owner_id,
    c.owner_name,
    c.created_at,
    c.updated_at
FROM contacts AS c
LEFT JOIN {{ ref "seeds.lead_source_map" }} AS m
    ON m.source_system = c.source_system AND m.source_raw = c.lead_source_raw
LEFT JOIN {{ ref "identity.crosswalk" }} AS xp
    ON xp.record_id = c.source_system || ':' || CASE c.source_system
        WHEN 'salesforce' THEN 'Contact' WHEN 'zoho_crm' THEN 'Contacts' ELSE 'contacts' END
        || ':' || c.source_id
LEFT JOIN {{ ref "identity.crosswalk" }} AS xc
    ON xc.record_id = c.source_system || ':' || CASE c.source_system
        WHEN 'salesforce' THEN 'Account' WHEN 'zoho_crm' THEN 'Accounts' ELSE 'accounts' END
        || ':' || c.account_source_id
