-- identity.person_input (sql/identity/person_input.sql, table)
WITH people AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR) AS source,
        CAST(NULL AS VARCHAR) AS object,
        CAST(NULL AS VARCHAR) AS source_id,
        CAST(NULL AS VARCHAR) AS first_name,
        CAST(NULL AS VARCHAR) AS last_name,
        CAST(NULL AS VARCHAR) AS full_name,
        CAST(NULL AS VARCHAR) AS email,
        CAST(NULL AS VARCHAR) AS phone,
        CAST(NULL AS VARCHAR) AS company,
        CAST(NULL AS VARCHAR) AS city,
        CAST(NULL AS VARCHAR) AS postcode,
        CAST(NULL AS VARCHAR) AS address,
        CAST(NULL AS VARCHAR) AS country,
        CAST(NULL AS VARCHAR) AS website,
        CAST(NULL AS VARCHAR) AS date_of_birth,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS VARCHAR) AS title,
        CAST(NULL AS VARCHAR) AS mobile,
        CAST(NULL AS VARCHAR) AS state,
        CAST(NULL AS VARCHAR) AS lead_source,
        CAST(NULL AS VARCHAR) AS company_record_id
    WHERE 1 = 0

    UNION ALL
    SELECT
        'salesforce', 'Lead', lead_id, first_name, last_name, full_name, email, phone, company,
        city, postal_code, street, country, website, NULL, updated_at, created_at,
        title, mobile, state, lead_source, NULL
    FROM "STAGING"."STG_SALESFORCE__LEAD"

    UNION ALL
    SELECT
        'salesforce', 'Contact', c.contact_id, c.first_name, c.last_name, c.full_name, c.email, c.phone,
        a.name,
        c.mailing_city, c.mailing_postal_code, c.mailing_street, c.mailing_country,
        a.website,
        CAST(c.birthdate AS VARCHAR), c.updated_at, c.created_at,
        c.title, c.mobile, c.mailing_state, c.lead_source,
        CASE WHEN c.account_id IS NOT NULL THEN 'salesforce:Account:' || c.account_id END
    FROM "STAGING"."STG_SALESFORCE__CONTACT" AS c
    LEFT JOIN "STAGING"."STG_SALESFORCE__ACCOUNT" AS a ON a.account_id = c.account_id

    UNION ALL
    SELECT
        'zoho_crm', 'Leads', lead_id, first_name, last_name, full_name, email, phone, company,
        city, postal_code, street, country, website, NULL, updated_at, created_at,
        title, mobile, state, lead_source, NULL
    FROM "STAGING"."STG_ZOHO_CRM__LEADS"

    UNION ALL
    SELECT
        'zoho_crm', 'Contacts', c.contact_id, c.first_name, c.last_name, c.full_name, c.email, c.phone,
        coalesce(a.name, c.account_name),
        c.mailing_city, c.mailing_postal_code, c.mailing_street, c.mailing_country,
        a.website,
        CAST(c.birthdate AS VARCHAR), c.updated_at, c.created_at,
        c.title, c.mobile, c.mailing_state, c.lead_source,
        CASE WHEN c.account_id IS NOT NULL THEN 'zoho_crm:Accounts:' || c.account_id END
    FROM "STAGING"."STG_ZOHO_CRM__CONTACTS" AS c
    LEFT JOIN "STAGING"."STG_ZOHO_CRM__ACCOUNTS" AS a ON a.account_id = c.account_id

    UNION ALL
    SELECT
        'zoho_desk', 'contacts', c.contact_id, c.first_name, c.last_name, NULL, c.email, c.phone,
        a.name,
        c.city, NULL, NULL, c.country,
        a.website,
        NULL, c.updated_at, c.created_at,
        c.title, c.mobile, c.state, NULL,
        CASE WHEN c.account_id IS NOT NULL THEN 'zoho_desk:accounts:' || c.account_id END
    FROM "STAGING"."STG_ZOHO_DESK__CONTACTS" AS c
    LEFT JOIN "STAGING"."STG_ZOHO_DESK__ACCOUNTS" AS a ON a.account_id = c.account_id
)

SELECT
    source || ':' || object || ':' || source_id AS record_id,
    source,
    object,
    source_id,
    nullif(trim(first_name), '')    AS first_name,
    nullif(trim(last_name), '')     AS last_name,
    nullif(trim(full_name), '')     AS full_name,
    nullif(trim(email), '')         AS email,
    nullif(trim(phone), '')         AS phone,
    nullif(trim(company), '')       AS company,
    nullif(trim(city), '')          AS city,
    nullif(trim(postcode), '')      AS postcode,
    nullif(trim(address), '')       AS address,
    nullif(trim(country), '')       AS country,
    nullif(trim(website), '')       AS website,
    nullif(trim(date_of_birth), '') AS date_of_birth,
    updated_at,
    created_at,
    nullif(trim(title), '')         AS title,
    nullif(trim(mobile), '')        AS mobile,
    nullif(trim(state), '')         AS state,
    nullif(trim(lead_source), '')   AS lead_source,
    company_record_id
FROM people
WHERE source_id IS NOT NULL
