-- identity.person_input: every person record of the CRMs, one row each, in
-- the roles the matcher compares (Salesforce Leads and Contacts, Zoho CRM
-- Leads and Contacts, Zoho Desk contacts). record_id is
-- <system>:<object>:<source id> (salesforce:Contact:003..., zoho_crm:Leads:...,
-- zoho_desk:contacts:...). Values are as the CRM holds them, trimmed, with
-- empty text as NULL; the matcher normalizes them. A contact's company,
-- website and company_record_id come from its account; a lead's from its
-- own Company and Website fields (company_record_id NULL).
-- Columns after created_at are not matched: survivorship fills golden
-- fields from them.
-- Reads the staging views, never core: core models join identity.crosswalk.
-- config: materialized=table
-- test: unique record_id
-- test: not_null record_id
-- test: not_null source
-- test: accepted_values source: salesforce,zoho_crm,zoho_desk
WITH people AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        {{ cast "NULL" "varchar" }} AS source,
        {{ cast "NULL" "varchar" }} AS object,
        {{ cast "NULL" "varchar" }} AS source_id,
        {{ cast "NULL" "varchar" }} AS first_name,
        {{ cast "NULL" "varchar" }} AS last_name,
        {{ cast "NULL" "varchar" }} AS full_name,
        {{ cast "NULL" "varchar" }} AS email,
        {{ cast "NULL" "varchar" }} AS phone,
        {{ cast "NULL" "varchar" }} AS company,
        {{ cast "NULL" "varchar" }} AS city,
        {{ cast "NULL" "varchar" }} AS postcode,
        {{ cast "NULL" "varchar" }} AS address,
        {{ cast "NULL" "varchar" }} AS country,
        {{ cast "NULL" "varchar" }} AS website,
        {{ cast "NULL" "varchar" }} AS date_of_birth,
        {{ cast "NULL" "timestamp" }} AS updated_at,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "varchar" }} AS title,
        {{ cast "NULL" "varchar" }} AS mobile,
        {{ cast "NULL" "varchar" }} AS state,
        {{ cast "NULL" "varchar" }} AS lead_source,
        {{ cast "NULL" "varchar" }} AS company_record_id
    WHERE 1 = 0
{{- if source_exists "salesforce" "lead" }}

    UNION ALL
    SELECT
        'salesforce', 'Lead', lead_id, first_name, last_name, full_name, email, phone, company,
        city, postal_code, street, country, website, NULL, updated_at, created_at,
        title, mobile, state, lead_source, NULL
    FROM {{ ref "stg_salesforce__lead" }}
{{- end }}
{{- if source_exists "salesforce" "contact" }}

    UNION ALL
    SELECT
        'salesforce', 'Contact', c.contact_id, c.first_name, c.last_name, c.full_name, c.email, c.phone,
        {{ if source_exists "salesforce" "account" }}a.name{{ else }}NULL{{ end }},
        c.mailing_city, c.mailing_postal_code, c.mailing_street, c.mailing_country,
        {{ if source_exists "salesforce" "account" }}a.website{{ else }}NULL{{ end }},
        {{ cast "c.birthdate" "varchar" }}, c.updated_at, c.created_at,
        c.title, c.mobile, c.mailing_state, c.lead_source,
        CASE WHEN c.account_id IS NOT NULL THEN 'salesforce:Account:' || c.account_id END
    FROM {{ ref "stg_salesforce__contact" }} AS c
    {{- if source_exists "salesforce" "account" }}
    LEFT JOIN {{ ref "stg_salesforce__account" }} AS a ON a.account_id = c.account_id
    {{- end }}
{{- end }}
{{- if source_exists "zoho_crm" "leads" }}

    UNION ALL
    SELECT
        'zoho_crm', 'Leads', lead_id, first_name, last_name, full_name, email, phone, company,
        city, postal_code, street, country, website, NULL, updated_at, created_at,
        title, mobile, state, lead_source, NULL
    FROM {{ ref "stg_zoho_crm__leads" }}
{{- end }}
{{- if source_exists "zoho_crm" "contacts" }}

    UNION ALL
    SELECT
        'zoho_crm', 'Contacts', c.contact_id, c.first_name, c.last_name, c.full_name, c.email, c.phone,
        {{ if source_exists "zoho_crm" "accounts" }}coalesce(a.name, c.account_name){{ else }}c.account_name{{ end }},
        c.mailing_city, c.mailing_postal_code, c.mailing_street, c.mailing_country,
        {{ if source_exists "zoho_crm" "accounts" }}a.website{{ else }}NULL{{ end }},
        {{ cast "c.birthdate" "varchar" }}, c.updated_at, c.created_at,
        c.title, c.mobile, c.mailing_state, c.lead_source,
        CASE WHEN c.account_id IS NOT NULL THEN 'zoho_crm:Accounts:' || c.account_id END
    FROM {{ ref "stg_zoho_crm__contacts" }} AS c
    {{- if source_exists "zoho_crm" "accounts" }}
    LEFT JOIN {{ ref "stg_zoho_crm__accounts" }} AS a ON a.account_id = c.account_id
    {{- end }}
{{- end }}
{{- if source_exists "zoho_desk" "contacts" }}

    UNION ALL
    SELECT
        'zoho_desk', 'contacts', c.contact_id, c.first_name, c.last_name, NULL, c.email, c.phone,
        {{ if source_exists "zoho_desk" "accounts" }}a.name{{ else }}NULL{{ end }},
        c.city, NULL, NULL, c.country,
        {{ if source_exists "zoho_desk" "accounts" }}a.website{{ else }}NULL{{ end }},
        NULL, c.updated_at, c.created_at,
        c.title, c.mobile, c.state, NULL,
        CASE WHEN c.account_id IS NOT NULL THEN 'zoho_desk:accounts:' || c.account_id END
    FROM {{ ref "stg_zoho_desk__contacts" }} AS c
    {{- if source_exists "zoho_desk" "accounts" }}
    LEFT JOIN {{ ref "stg_zoho_desk__accounts" }} AS a ON a.account_id = c.account_id
    {{- end }}
{{- end }}
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
