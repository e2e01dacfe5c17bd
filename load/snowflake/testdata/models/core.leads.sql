-- core.leads (sql/core/leads.sql, table)
WITH leads AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR)        AS source_system,
        CAST(NULL AS VARCHAR)        AS source_id,
        CAST(NULL AS VARCHAR)        AS first_name,
        CAST(NULL AS VARCHAR)        AS last_name,
        CAST(NULL AS VARCHAR)        AS company,
        CAST(NULL AS VARCHAR)        AS title,
        CAST(NULL AS VARCHAR)        AS email,
        CAST(NULL AS VARCHAR)        AS phone,
        CAST(NULL AS VARCHAR)        AS industry,
        CAST(NULL AS DECIMAL(18, 2)) AS annual_revenue,
        CAST(NULL AS VARCHAR)        AS status_raw,
        CAST(NULL AS VARCHAR)        AS lead_source_raw,
        CAST(NULL AS BOOLEAN)        AS is_converted,
        CAST(NULL AS VARCHAR)        AS city,
        CAST(NULL AS VARCHAR)        AS state,
        CAST(NULL AS VARCHAR)        AS country,
        CAST(NULL AS VARCHAR)        AS owner_id,
        CAST(NULL AS VARCHAR)        AS owner_name,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at
    WHERE 1 = 0

    UNION ALL
    SELECT
        'salesforce', l.lead_id, l.first_name, l.last_name, l.company, l.title, l.email, l.phone,
        l.industry, l.annual_revenue, l.status, l.lead_source, l.is_converted,
        l.city, l.state, l.country, l.owner_id,
        u.full_name,
        l.created_at, l.updated_at
    FROM "STAGING"."STG_SALESFORCE__LEAD" AS l
    LEFT JOIN "STAGING"."STG_SALESFORCE__USER" AS u ON u.user_id = l.owner_id

    UNION ALL
    SELECT
        'zoho_crm', lead_id, first_name, last_name, company, title, email, phone,
        industry, annual_revenue, lead_status, lead_source, is_converted,
        city, state, country, owner_id, owner_name, created_at, updated_at
    FROM "STAGING"."STG_ZOHO_CRM__LEADS"
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
    LEFT JOIN "SEEDS"."LEAD_STATUS_MAP" AS sm
        ON sm.source_system = l.source_system AND sm.status_raw = l.status_raw
    LEFT JOIN "SEEDS"."LEAD_SOURCE_MAP" AS src
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
LEFT JOIN "SEEDS"."LEAD_STATUSES" AS s ON s.status = n.status
LEFT JOIN "IDENTITY"."CROSSWALK" AS x
    ON x.record_id = n.source_system || ':'
        || CASE n.source_system WHEN 'salesforce' THEN 'Lead' ELSE 'Leads' END || ':' || n.source_id
