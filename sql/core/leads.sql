-- core.leads: one row per lead record in either CRM (Salesforce Lead,
-- Zoho CRM Leads). status and lead_source are normalized through the seeds
-- lead_status_map / lead_statuses and lead_source_map (edit them to map
-- custom picklist values); the raw labels stay in status_raw and
-- lead_source_raw. An unmapped or missing status is NULL (the not_null
-- test warns); an unmapped source is 'other', a missing one 'unknown'.
-- person_id is the person's golden id (identity.persons): a person with a
-- lead in each CRM, or a lead revops copied from one CRM into the other,
-- has one person_id (count distinct person_id to count people; see
-- metrics.lead_volume_daily_unique).
-- config: materialized=table; unique_key=lead_id
-- test: unique lead_id
-- test: not_null lead_id
-- test: unique source_system,source_id
-- test: not_null created_at; severity=warn
-- test: not_null status; severity=warn
-- test: accepted_values source_system: salesforce,zoho_crm
-- test: not_null person_id
-- test: relationships person_id -> identity.persons.person_id
-- test: accepted_values status: new,contacted,qualified,converted,unqualified; severity=warn
WITH leads AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        {{ cast "NULL" "varchar" }}        AS source_system,
        {{ cast "NULL" "varchar" }}        AS source_id,
        {{ cast "NULL" "varchar" }}        AS first_name,
        {{ cast "NULL" "varchar" }}        AS last_name,
        {{ cast "NULL" "varchar" }}        AS company,
        {{ cast "NULL" "varchar" }}        AS title,
        {{ cast "NULL" "varchar" }}        AS email,
        {{ cast "NULL" "varchar" }}        AS phone,
        {{ cast "NULL" "varchar" }}        AS industry,
        CAST(NULL AS DECIMAL(18, 2)) AS annual_revenue,
        {{ cast "NULL" "varchar" }}        AS status_raw,
        {{ cast "NULL" "varchar" }}        AS lead_source_raw,
        {{ cast "NULL" "boolean" }}        AS is_converted,
        {{ cast "NULL" "varchar" }}        AS city,
        {{ cast "NULL" "varchar" }}        AS state,
        {{ cast "NULL" "varchar" }}        AS country,
        {{ cast "NULL" "varchar" }}        AS owner_id,
        {{ cast "NULL" "varchar" }}        AS owner_name,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "timestamp" }} AS updated_at
    WHERE 1 = 0
{{- if source_exists "salesforce" "lead" }}

    UNION ALL
    SELECT
        'salesforce', l.lead_id, l.first_name, l.last_name, l.company, l.title, l.email, l.phone,
        l.industry, l.annual_revenue, l.status, l.lead_source, l.is_converted,
        l.city, l.state, l.country, l.owner_id,
        {{ if source_exists "salesforce" "user" }}u.full_name{{ else }}NULL{{ end }},
        l.created_at, l.updated_at
    FROM {{ ref "stg_salesforce__lead" }} AS l
    {{- if source_exists "salesforce" "user" }}
    LEFT JOIN {{ ref "stg_salesforce__user" }} AS u ON u.user_id = l.owner_id
    {{- end }}
{{- end }}
{{- if source_exists "zoho_crm" "leads" }}

    UNION ALL
    SELECT
        'zoho_crm', lead_id, first_name, last_name, company, title, email, phone,
        industry, annual_revenue, lead_status, lead_source, is_converted,
        city, state, country, owner_id, owner_name, created_at, updated_at
    FROM {{ ref "stg_zoho_crm__leads" }}
{{- end }}
),

normalized AS (
    SELECT
        l.*,
        CASE WHEN l.is_converted THEN 'converted' ELSE sm.status END AS status,
        CASE
            WHEN l.lead_source_raw IS NULL THEN 'unknown'
            ELSE coalesce(src.lead_source, 'other')
        END AS lead_source
    FROM leads AS l
    LEFT JOIN {{ ref "seeds.lead_status_map" }} AS sm
        ON sm.source_system = l.source_system AND sm.status_raw = l.status_raw
    LEFT JOIN {{ ref "seeds.lead_source_map" }} AS src
        ON src.source_system = l.source_system AND src.source_raw = l.lead_source_raw
)

SELECT
    n.source_system || ':' || n.source_id AS lead_id,
    n.source_system,
    n.source_id,
    x.golden_id AS person_id,
    n.first_name,
    n.last_name,
    trim(coalesce(n.first_name || ' ', '') || coalesce(n.last_name, '')) AS full_name,
    n.company,
    n.title,
    n.email,
    lower(trim(n.email)) AS email_normalized,
    n.phone,
    n.industry,
    n.annual_revenue,
    n.status_raw,
    n.status,
    s.status_order,
    s.is_open,
    n.is_converted,
    n.lead_source_raw,
    n.lead_source,
    n.city,
    n.state,
    n.country,
    n.owner_id,
    n.owner_name,
    n.created_at,
    CAST(n.created_at AS DATE) AS created_date,
    n.updated_at
FROM normalized AS n
LEFT JOIN {{ ref "seeds.lead_statuses" }} AS s ON s.status = n.status
LEFT JOIN {{ ref "identity.crosswalk" }} AS x
    ON x.record_id = n.source_system || ':'
        || CASE n.source_system WHEN 'salesforce' THEN 'Lead' ELSE 'Leads' END || ':' || n.source_id
