-- core.deal_stage_history (sql/core/deal_stage_history.sql, table)
WITH native AS (
    -- The CRMs' own stage histories.
    SELECT
        CAST(NULL AS VARCHAR)        AS source_system,
        CAST(NULL AS VARCHAR)        AS source_deal_id,
        CAST(NULL AS VARCHAR)        AS stage_raw,
        CAST(NULL AS DECIMAL(18, 2)) AS amount,
        CAST(NULL AS TIMESTAMP_TZ) AS changed_at,
        CAST(NULL AS VARCHAR)        AS change_key,
        CAST(NULL AS VARCHAR)        AS history_origin
    WHERE 1 = 0

    UNION ALL
    SELECT 'salesforce', opportunity_id, stage_name, amount, changed_at,
           opportunity_history_id, 'opportunityhistory'
    FROM "STAGING"."STG_SALESFORCE__OPPORTUNITY_HISTORY"

    UNION ALL
    SELECT 'zoho_crm', deal_id, stage, amount, changed_at,
           stage_history_id, 'stage_history'
    FROM "STAGING"."STG_ZOHO_CRM__DEALS_STAGE_HISTORY"
),

versions AS (
    -- The extract's versions of each deal: one row per version seen.
    SELECT
        CAST(NULL AS VARCHAR)        AS source_system,
        CAST(NULL AS VARCHAR)        AS source_deal_id,
        CAST(NULL AS VARCHAR)        AS stage_raw,
        CAST(NULL AS DECIMAL(18, 2)) AS amount,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at,
        CAST(NULL AS TIMESTAMP_TZ) AS valid_from
    WHERE 1 = 0

    UNION ALL
    SELECT 'salesforce', opportunity_id, stage_name, amount, created_at, updated_at, valid_from
    FROM "STAGING"."STG_SALESFORCE__OPPORTUNITY_VERSIONS"

    UNION ALL
    SELECT 'zoho_crm', deal_id, stage, amount, created_at, updated_at, valid_from
    FROM "STAGING"."STG_ZOHO_CRM__DEALS_VERSIONS"
),

version_changes AS (
    -- Versions whose stage differs from the version before, for deals
    -- with no native history.
    SELECT
        source_system,
        source_deal_id,
        stage_raw,
        amount,
        CASE WHEN previous_stage_raw IS NULL THEN created_at ELSE updated_at END AS changed_at,
        CAST(valid_from AS VARCHAR) AS change_key,
        'extract_versions' AS history_origin
    FROM (
        SELECT
            v.*,
            lag(v.stage_raw) OVER (
                PARTITION BY v.source_system, v.source_deal_id ORDER BY v.valid_from
            ) AS previous_stage_raw
        FROM versions AS v
        WHERE NOT EXISTS (
            SELECT 1 FROM native AS n
            WHERE n.source_system = v.source_system AND n.source_deal_id = v.source_deal_id
        )
    ) AS ordered
    WHERE previous_stage_raw IS NULL OR previous_stage_raw <> stage_raw
),

changes AS (
    SELECT c.*, m.stage
    FROM (
        SELECT * FROM native
        UNION ALL
        SELECT * FROM version_changes
    ) AS c
    LEFT JOIN "SEEDS"."DEAL_STAGE_MAP" AS m
        ON m.source_system = c.source_system AND m.stage_raw = c.stage_raw
),

stint_starts AS (
    -- Keep the entries where the normalized stage changes.
    SELECT *
    FROM (
        SELECT
            c.*,
            lag(c.stage) OVER (
                PARTITION BY c.source_system, c.source_deal_id ORDER BY c.changed_at, c.change_key
            ) AS previous_stage
        FROM changes AS c
    ) AS ordered
    WHERE previous_stage IS NULL OR previous_stage <> stage
),

stints AS (
    SELECT
        source_system,
        source_deal_id,
        row_number() OVER (
            PARTITION BY source_system, source_deal_id ORDER BY changed_at, change_key
        ) AS stint_number,
        stage_raw,
        stage,
        amount AS amount_at_entry,
        changed_at AS entered_at,
        lead(changed_at) OVER (
            PARTITION BY source_system, source_deal_id ORDER BY changed_at, change_key
        ) AS exited_at,
        lead(stage) OVER (
            PARTITION BY source_system, source_deal_id ORDER BY changed_at, change_key
        ) AS next_stage,
        history_origin
    FROM stint_starts
)

SELECT
    d.deal_id,
    s.source_system,
    s.source_deal_id,
    s.stint_number,
    s.stage_raw,
    s.stage,
    st.stage_order,
    st.is_closed,
    st.is_won,
    s.next_stage,
    s.entered_at,
    s.exited_at,
    s.exited_at IS NULL AS is_current,
    DATEDIFF(hour, s.entered_at, s.exited_at) / 24.0 AS days_in_stage,
    s.amount_at_entry,
    s.history_origin
FROM stints AS s
JOIN "CORE"."DEALS" AS d
    ON d.source_system = s.source_system AND d.source_id = s.source_deal_id
LEFT JOIN "SEEDS"."DEAL_STAGES" AS st ON st.stage = s.stage
