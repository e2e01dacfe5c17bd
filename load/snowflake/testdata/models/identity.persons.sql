-- identity.persons (sql/identity/persons.sql, table)
WITH members AS (
    SELECT s.golden_id, i.*
    FROM "IDENTITY"."PERSON_ID_STATE" AS s
    JOIN "IDENTITY"."PERSON_INPUT" AS i ON i.record_id = s.record_id
    WHERE s.is_present
),

fields AS (
    SELECT
        golden_id,
        max(CASE WHEN field = 'first_name' THEN value END) AS first_name,
        max(CASE WHEN field = 'last_name' THEN value END) AS last_name,
        max(CASE WHEN field = 'email' THEN value END) AS email,
        max(CASE WHEN field = 'phone' THEN value END) AS phone,
        max(CASE WHEN field = 'mobile' THEN value END) AS mobile,
        max(CASE WHEN field = 'title' THEN value END) AS title,
        max(CASE WHEN field = 'company' THEN value END) AS company,
        max(CASE WHEN field = 'address' THEN value END) AS address,
        max(CASE WHEN field = 'city' THEN value END) AS city,
        max(CASE WHEN field = 'state' THEN value END) AS state,
        max(CASE WHEN field = 'postcode' THEN value END) AS postcode,
        max(CASE WHEN field = 'country' THEN value END) AS country,
        max(CASE WHEN field = 'date_of_birth' THEN value END) AS date_of_birth,
        max(CASE WHEN field = 'lead_source' THEN value END) AS lead_source,
        max(CASE WHEN field = 'first_name' THEN record_id END) AS first_name_from,
        max(CASE WHEN field = 'last_name' THEN record_id END) AS last_name_from,
        max(CASE WHEN field = 'email' THEN record_id END) AS email_from,
        max(CASE WHEN field = 'phone' THEN record_id END) AS phone_from,
        max(CASE WHEN field = 'mobile' THEN record_id END) AS mobile_from,
        max(CASE WHEN field = 'title' THEN record_id END) AS title_from,
        max(CASE WHEN field = 'company' THEN record_id END) AS company_from,
        max(CASE WHEN field = 'address' THEN record_id END) AS address_from,
        max(CASE WHEN field = 'city' THEN record_id END) AS city_from,
        max(CASE WHEN field = 'state' THEN record_id END) AS state_from,
        max(CASE WHEN field = 'postcode' THEN record_id END) AS postcode_from,
        max(CASE WHEN field = 'country' THEN record_id END) AS country_from,
        max(CASE WHEN field = 'date_of_birth' THEN record_id END) AS date_of_birth_from,
        max(CASE WHEN field = 'lead_source' THEN record_id END) AS lead_source_from
    FROM "IDENTITY"."PERSON_FIELDS"
    GROUP BY golden_id
),

counts AS (
    SELECT
        golden_id,
        count(*) AS records,
        sum(CASE WHEN source = 'salesforce' THEN 1 ELSE 0 END) AS salesforce_records,
        sum(CASE WHEN source = 'zoho_crm' THEN 1 ELSE 0 END) AS zoho_crm_records,
        sum(CASE WHEN source = 'zoho_desk' THEN 1 ELSE 0 END) AS zoho_desk_records,
        sum(CASE WHEN lower(object) IN ('lead', 'leads') THEN 1 ELSE 0 END) AS lead_records,
        sum(CASE WHEN lower(object) IN ('contact', 'contacts') THEN 1 ELSE 0 END) AS contact_records,
        min(created_at) AS first_created_at,
        max(updated_at) AS last_updated_at
    FROM members
    GROUP BY golden_id
),

employers AS (
    SELECT golden_id, company_id
    FROM (
        SELECT
            m.golden_id,
            c.golden_id AS company_id,
            row_number() OVER (PARTITION BY m.golden_id ORDER BY count(*) DESC, c.golden_id) AS rn
        FROM members AS m
        JOIN "IDENTITY"."COMPANY_ID_STATE" AS c ON c.record_id = m.company_record_id AND c.is_present
        GROUP BY m.golden_id, c.golden_id
    ) AS e
    WHERE rn = 1
)

SELECT
    c.golden_id AS person_id,
    f.first_name,
    f.last_name,
    nullif(trim(coalesce(f.first_name || ' ', '') || coalesce(f.last_name, '')), '') AS full_name,
    f.email,
    f.phone,
    f.mobile,
    f.title,
    f.company,
    e.company_id,
    f.address,
    f.city,
    f.state,
    f.postcode,
    f.country,
    f.date_of_birth,
    f.lead_source,
    c.records,
    (CASE WHEN c.salesforce_records > 0 THEN 1 ELSE 0 END
        + CASE WHEN c.zoho_crm_records > 0 THEN 1 ELSE 0 END
        + CASE WHEN c.zoho_desk_records > 0 THEN 1 ELSE 0 END) AS systems,
    c.salesforce_records,
    c.zoho_crm_records,
    c.zoho_desk_records,
    c.lead_records,
    c.contact_records,
    c.first_created_at,
    c.last_updated_at,
    f.first_name_from,
    f.last_name_from,
    f.email_from,
    f.phone_from,
    f.mobile_from,
    f.title_from,
    f.company_from,
    f.address_from,
    f.city_from,
    f.state_from,
    f.postcode_from,
    f.country_from,
    f.date_of_birth_from,
    f.lead_source_from
FROM counts AS c
LEFT JOIN fields AS f ON f.golden_id = c.golden_id
LEFT JOIN employers AS e ON e.golden_id = c.golden_id
