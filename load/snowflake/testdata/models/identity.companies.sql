-- identity.companies (sql/identity/companies.sql, table)
WITH members AS (
    SELECT s.golden_id, i.*
    FROM "IDENTITY"."COMPANY_ID_STATE" AS s
    JOIN "IDENTITY"."COMPANY_INPUT" AS i ON i.record_id = s.record_id
    WHERE s.is_present
),

fields AS (
    SELECT
        golden_id,
        max(CASE WHEN field = 'name' THEN value END) AS name,
        max(CASE WHEN field = 'website' THEN value END) AS website,
        max(CASE WHEN field = 'email' THEN value END) AS email,
        max(CASE WHEN field = 'phone' THEN value END) AS phone,
        max(CASE WHEN field = 'industry' THEN value END) AS industry,
        TRY_CAST(TO_VARCHAR(max(CASE WHEN field = 'employees' THEN value END)) AS NUMBER(38,0)) AS employees,
        TRY_CAST(TO_VARCHAR(max(CASE WHEN field = 'annual_revenue' THEN value END)) AS DOUBLE) AS annual_revenue,
        max(CASE WHEN field = 'address' THEN value END) AS address,
        max(CASE WHEN field = 'city' THEN value END) AS city,
        max(CASE WHEN field = 'state' THEN value END) AS state,
        max(CASE WHEN field = 'postcode' THEN value END) AS postcode,
        max(CASE WHEN field = 'country' THEN value END) AS country,
        max(CASE WHEN field = 'name' THEN record_id END) AS name_from,
        max(CASE WHEN field = 'website' THEN record_id END) AS website_from,
        max(CASE WHEN field = 'email' THEN record_id END) AS email_from,
        max(CASE WHEN field = 'phone' THEN record_id END) AS phone_from,
        max(CASE WHEN field = 'industry' THEN record_id END) AS industry_from,
        max(CASE WHEN field = 'employees' THEN record_id END) AS employees_from,
        max(CASE WHEN field = 'annual_revenue' THEN record_id END) AS annual_revenue_from,
        max(CASE WHEN field = 'address' THEN record_id END) AS address_from,
        max(CASE WHEN field = 'city' THEN record_id END) AS city_from,
        max(CASE WHEN field = 'state' THEN record_id END) AS state_from,
        max(CASE WHEN field = 'postcode' THEN record_id END) AS postcode_from,
        max(CASE WHEN field = 'country' THEN record_id END) AS country_from
    FROM "IDENTITY"."COMPANY_FIELDS"
    GROUP BY golden_id
),

counts AS (
    SELECT
        golden_id,
        count(*) AS records,
        sum(CASE WHEN source = 'salesforce' THEN 1 ELSE 0 END) AS salesforce_records,
        sum(CASE WHEN source = 'zoho_crm' THEN 1 ELSE 0 END) AS zoho_crm_records,
        sum(CASE WHEN source = 'zoho_desk' THEN 1 ELSE 0 END) AS zoho_desk_records,
        min(created_at) AS first_created_at,
        max(updated_at) AS last_updated_at
    FROM members
    GROUP BY golden_id
),

people AS (
    SELECT company_id, count(*) AS persons
    FROM "IDENTITY"."PERSONS"
    WHERE company_id IS NOT NULL
    GROUP BY company_id
)

SELECT
    c.golden_id AS company_id,
    f.name,
    f.website,
    nullif(REGEXP_REPLACE(lower(trim(f.website)), '^(https?://)?(www\\.)?|/.*$', ''), '') AS domain,
    f.email,
    f.phone,
    f.industry,
    f.employees,
    f.annual_revenue,
    f.address,
    f.city,
    f.state,
    f.postcode,
    f.country,
    c.records,
    (CASE WHEN c.salesforce_records > 0 THEN 1 ELSE 0 END
        + CASE WHEN c.zoho_crm_records > 0 THEN 1 ELSE 0 END
        + CASE WHEN c.zoho_desk_records > 0 THEN 1 ELSE 0 END) AS systems,
    c.salesforce_records,
    c.zoho_crm_records,
    c.zoho_desk_records,
    coalesce(p.persons, 0) AS persons,
    c.first_created_at,
    c.last_updated_at,
    f.name_from,
    f.website_from,
    f.email_from,
    f.phone_from,
    f.industry_from,
    f.employees_from,
    f.annual_revenue_from,
    f.address_from,
    f.city_from,
    f.state_from,
    f.postcode_from,
    f.country_from
FROM counts AS c
LEFT JOIN fields AS f ON f.golden_id = c.golden_id
LEFT JOIN people AS p ON p.company_id = c.golden_id
