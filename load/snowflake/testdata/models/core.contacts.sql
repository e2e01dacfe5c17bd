-- core.contacts (sql/core/contacts.sql, table)
WITH contacts AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR) AS source_system,
        CAST(NULL AS VARCHAR) AS source_id,
        CAST(NULL AS VARCHAR) AS account_source_id,
        CAST(NULL AS VARCHAR) AS first_name,
        CAST(NULL AS VARCHAR) AS last_name,
        CAST(NULL AS VARCHAR) AS title,
        CAST(NULL AS VARCHAR) AS email,
        CAST(NULL AS VARCHAR) AS phone,
        CAST(NULL AS VARCHAR) AS mobile,
        CAST(NULL AS VARCHAR) AS lead_source_raw,
        CAST(NULL AS VARCHAR) AS city,
        CAST(NULL AS VARCHAR) AS state,
        CAST(NULL AS VARCHAR) AS country,
        CAST(NULL AS VARCHAR) AS owner_id,
        CAST(NULL AS VARCHAR) AS owner_name,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at
    WHERE 1 = 0

    UNION ALL
    SELECT
        'salesforce', c.contact_id, c.account_id, c.first_name, c.last_name, c.title, c.email,
        c.phone, c.mobile, c.lead_source, c.mailing_city, c.mailing_state, c.mailing_country,
        c.owner_id, u.full_name,
        c.created_at, c.updated_at
    FROM "STAGING"."STG_SALESFORCE__CONTACT" AS c
    LEFT JOIN "STAGING"."STG_SALESFORCE__USER" AS u ON u.user_id = c.owner_id

    UNION ALL
    SELECT
        'zoho_crm', contact_id, account_id, first_name, last_name, title, email,
        phone, mobile, lead_source, mailing_city, mailing_state, mailing_country,
        owner_id, owner_name, created_at, updated_at
    FROM "STAGING"."STG_ZOHO_CRM__CONTACTS"

    UNION ALL
    SELECT
        'zoho_desk', contact_id, account_id, first_name, last_name, title, email,
        phone, mobile, NULL, city, state, country,
        owner_id, NULL, created_at, updated_at
    FROM "STAGING"."STG_ZOHO_DESK__CONTACTS"
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
LEFT JOIN "SEEDS"."LEAD_SOURCE_MAP" AS m
    ON m.source_system = c.source_system AND m.source_raw = c.lead_source_raw
LEFT JOIN "IDENTITY"."CROSSWALK" AS xp
    ON xp.record_id = c.source_system || ':' || CASE c.source_system
        WHEN 'salesforce' THEN 'Contact' WHEN 'zoho_crm' THEN 'Contacts' ELSE 'contacts' END
        || ':' || c.source_id
LEFT JOIN "IDENTITY"."CROSSWALK" AS xc
    ON xc.record_id = c.source_system || ':' || CASE c.source_system
        WHEN 'salesforce' THEN 'Account' WHEN 'zoho_crm' THEN 'Accounts' ELSE 'accounts' END
        || ':' || c.account_source_id
