-- core.deals (sql/core/deals.sql, table)
WITH deals AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR)        AS source_system,
        CAST(NULL AS VARCHAR)        AS source_id,
        CAST(NULL AS VARCHAR)        AS name,
        CAST(NULL AS VARCHAR)        AS account_source_id,
        CAST(NULL AS VARCHAR)        AS contact_source_id,
        CAST(NULL AS DECIMAL(18, 2)) AS amount,
        CAST(NULL AS DOUBLE)         AS probability,
        CAST(NULL AS VARCHAR)        AS stage_raw,
        CAST(NULL AS DATE)           AS close_date,
        CAST(NULL AS VARCHAR)        AS deal_type,
        CAST(NULL AS VARCHAR)        AS lead_source_raw,
        CAST(NULL AS VARCHAR)        AS pipeline,
        CAST(NULL AS VARCHAR)        AS owner_id,
        CAST(NULL AS VARCHAR)        AS owner_name,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at
    WHERE 1 = 0

    UNION ALL
    SELECT
        'salesforce', o.opportunity_id, o.name, o.account_id, o.contact_id, o.amount, o.probability,
        o.stage_name, o.close_date, o.opportunity_type, o.lead_source, NULL, o.owner_id,
        u.full_name,
        o.created_at, o.updated_at
    FROM "STAGING"."STG_SALESFORCE__OPPORTUNITY" AS o
    LEFT JOIN "STAGING"."STG_SALESFORCE__USER" AS u ON u.user_id = o.owner_id

    UNION ALL
    SELECT
        'zoho_crm', deal_id, name, account_id, contact_id, amount, probability,
        stage, close_date, deal_type, lead_source, pipeline, owner_id, owner_name,
        created_at, updated_at
    FROM "STAGING"."STG_ZOHO_CRM__DEALS"
)

SELECT
    d.source_system || ':' || d.source_id AS deal_id,
    d.source_system,
    d.source_id,
    u.unique_deal_id,
    u.company_id,
    xp.golden_id AS person_id,
    d.name,
    d.source_system || ':' || d.account_source_id AS account_id,
    d.account_source_id,
    d.source_system || ':' || d.contact_source_id AS contact_id,
    d.contact_source_id,
    d.amount,
    d.probability,
    d.stage_raw,
    m.stage,
    s.stage_order,
    s.is_closed,
    s.is_won,
    d.close_date,
    CASE WHEN s.is_closed
        THEN DATEDIFF(day, CAST(d.created_at AS DATE), d.close_date)
    END AS days_to_close,
    d.deal_type,
    d.lead_source_raw,
    CASE
        WHEN d.lead_source_raw IS NULL THEN 'unknown'
        ELSE coalesce(src.lead_source, 'other')
    END AS lead_source,
    d.pipeline,
    d.owner_id,
    d.owner_name,
    d.created_at,
    CAST(d.created_at AS DATE) AS created_date,
    d.updated_at
FROM deals AS d
LEFT JOIN "SEEDS"."DEAL_STAGE_MAP" AS m
    ON m.source_system = d.source_system AND m.stage_raw = d.stage_raw
LEFT JOIN "SEEDS"."DEAL_STAGES" AS s ON s.stage = m.stage
LEFT JOIN "SEEDS"."LEAD_SOURCE_MAP" AS src
    ON src.source_system = d.source_system AND src.source_raw = d.lead_source_raw
LEFT JOIN "IDENTITY"."DEAL_CROSSWALK" AS u
    ON u.deal_id = d.source_system || ':' || d.source_id
LEFT JOIN "IDENTITY"."CROSSWALK" AS xp
    ON xp.record_id = d.source_system || ':'
        || CASE d.source_system WHEN 'salesforce' THEN 'Contact' ELSE 'Contacts' END || ':' || d.contact_source_id
