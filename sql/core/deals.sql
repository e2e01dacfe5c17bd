-- core.deals: one row per deal in either CRM (Zoho CRM Deals, Salesforce
-- Opportunities). stage is the normalized stage: seeds.deal_stage_map maps
-- each system's stage label onto the list in seeds.deal_stages, which also
-- gives stage_order, is_closed and is_won (edit the seeds for custom
-- stages; an unmapped stage is NULL and fails the not_null test).
-- days_to_close is set for closed deals: close_date minus the day the deal
-- was created.
-- unique_deal_id is the same for the copies of one deal in both CRMs (made
-- by revops or by hand; identity.deal_crosswalk): count distinct
-- unique_deal_id to count deals (metrics.pipeline_by_stage_unique).
-- company_id and person_id are the golden ids of its account and contact.
-- config: materialized=table; unique_key=deal_id
-- test: unique deal_id
-- test: not_null deal_id
-- test: unique source_system,source_id
-- test: not_null stage; severity=warn
-- test: not_null created_at; severity=warn
-- test: accepted_values source_system: salesforce,zoho_crm
-- test: accepted_values stage: prospecting,qualification,needs_analysis,value_proposition,proposal,negotiation,closed_won,closed_lost; severity=warn
-- test: relationships account_id -> core.accounts.account_id; severity=warn
-- test: not_null unique_deal_id
WITH deals AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        {{ cast "NULL" "varchar" }}        AS source_system,
        {{ cast "NULL" "varchar" }}        AS source_id,
        {{ cast "NULL" "varchar" }}        AS name,
        {{ cast "NULL" "varchar" }}        AS account_source_id,
        {{ cast "NULL" "varchar" }}        AS contact_source_id,
        CAST(NULL AS DECIMAL(18, 2)) AS amount,
        {{ cast "NULL" "double" }}         AS probability,
        {{ cast "NULL" "varchar" }}        AS stage_raw,
        CAST(NULL AS DATE)           AS close_date,
        {{ cast "NULL" "varchar" }}        AS deal_type,
        {{ cast "NULL" "varchar" }}        AS lead_source_raw,
        {{ cast "NULL" "varchar" }}        AS pipeline,
        {{ cast "NULL" "varchar" }}        AS owner_id,
        {{ cast "NULL" "varchar" }}        AS owner_name,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "timestamp" }} AS updated_at
    WHERE 1 = 0
{{- if source_exists "salesforce" "opportunity" }}

    UNION ALL
    SELECT
        'salesforce', o.opportunity_id, o.name, o.account_id, o.contact_id, o.amount, o.probability,
        o.stage_name, o.close_date, o.opportunity_type, o.lead_source, NULL, o.owner_id,
        {{ if source_exists "salesforce" "user" }}u.full_name{{ else }}NULL{{ end }},
        o.created_at, o.updated_at
    FROM {{ ref "stg_salesforce__opportunity" }} AS o
    {{- if source_exists "salesforce" "user" }}
    LEFT JOIN {{ ref "stg_salesforce__user" }} AS u ON u.user_id = o.owner_id
    {{- end }}
{{- end }}
{{- if source_exists "zoho_crm" "deals" }}

    UNION ALL
    SELECT
        'zoho_crm', deal_id, name, account_id, contact_id, amount, probability,
        stage, close_date, deal_type, lead_source, pipeline, owner_id, owner_name,
        created_at, updated_at
    FROM {{ ref "stg_zoho_crm__deals" }}
{{- end }}
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
        THEN {{ datediff "day" "CAST(d.created_at AS DATE)" "d.close_date" }}
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
LEFT JOIN {{ ref "seeds.deal_stage_map" }} AS m
    ON m.source_system = d.source_system AND m.stage_raw = d.stage_raw
LEFT JOIN {{ ref "seeds.deal_stages" }} AS s ON s.stage = m.stage
LEFT JOIN {{ ref "seeds.lead_source_map" }} AS src
    ON src.source_system = d.source_system AND src.source_raw = d.lead_source_raw
LEFT JOIN {{ ref "identity.deal_crosswalk" }} AS u
    ON u.deal_id = d.source_system || ':' || d.source_id
LEFT JOIN {{ ref "identity.crosswalk" }} AS xp
    ON xp.record_id = d.source_system || ':'
        || CASE d.source_system WHEN 'salesforce' THEN 'Contact' ELSE 'Contacts' END || ':' || d.contact_source_id
