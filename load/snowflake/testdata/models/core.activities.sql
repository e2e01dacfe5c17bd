-- core.activities (sql/core/activities.sql, table)
WITH activities AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR) AS source_system,
        CAST(NULL AS VARCHAR) AS source_id,
        CAST(NULL AS VARCHAR) AS activity_type,
        CAST(NULL AS VARCHAR) AS subject,
        CAST(NULL AS VARCHAR) AS status_raw,
        CAST(NULL AS VARCHAR) AS priority_raw,
        CAST(NULL AS DATE)    AS due_date,
        CAST(NULL AS TIMESTAMP_TZ) AS completed_at,
        CAST(NULL AS VARCHAR) AS lead_source_id,
        CAST(NULL AS VARCHAR) AS contact_source_id,
        CAST(NULL AS VARCHAR) AS deal_source_id,
        CAST(NULL AS VARCHAR) AS account_source_id,
        CAST(NULL AS VARCHAR) AS owner_id,
        CAST(NULL AS VARCHAR) AS owner_name,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at
    WHERE 1 = 0

    UNION ALL
    -- Salesforce ids say what they point at by their first three
    -- characters: 00Q Lead, 003 Contact, 006 Opportunity, 001 Account.
    SELECT
        'salesforce',
        t.task_id,
        coalesce(lower(t.task_type), 'task'),
        t.subject,
        t.status,
        t.priority,
        t.due_date,
        t.completed_at,
        CASE WHEN substr(t.who_id, 1, 3) = '00Q' THEN t.who_id END,
        CASE WHEN substr(t.who_id, 1, 3) = '003' THEN t.who_id END,
        CASE WHEN substr(t.what_id, 1, 3) = '006' THEN t.what_id END,
        coalesce(t.account_id, CASE WHEN substr(t.what_id, 1, 3) = '001' THEN t.what_id END),
        t.owner_id,
        u.full_name,
        t.created_at,
        t.updated_at
    FROM "STAGING"."STG_SALESFORCE__TASK" AS t
    LEFT JOIN "STAGING"."STG_SALESFORCE__USER" AS u ON u.user_id = t.owner_id

    UNION ALL
    -- Zoho's What_Id lookup may point at a deal, a lead or an account (ids
    -- are unique across modules): find which by looking it up in each.
    SELECT
        'zoho_crm',
        t.task_id,
        'task',
        t.subject,
        t.status,
        t.priority,
        t.due_date,
        t.closed_at,
        wl.lead_id,
        t.who_id,
        wd.deal_id,
        wa.account_id,
        t.owner_id,
        t.owner_name,
        t.created_at,
        t.updated_at
    FROM "STAGING"."STG_ZOHO_CRM__TASKS" AS t
    LEFT JOIN "STAGING"."STG_ZOHO_CRM__LEADS" AS wl ON wl.lead_id = t.what_id
    LEFT JOIN "STAGING"."STG_ZOHO_CRM__DEALS" AS wd ON wd.deal_id = t.what_id
    LEFT JOIN "STAGING"."STG_ZOHO_CRM__ACCOUNTS" AS wa ON wa.account_id = t.what_id
)

SELECT
    a.source_system || ':' || a.source_id AS activity_id,
    a.source_system,
    a.source_id,
    a.activity_type,
    a.subject,
    a.status_raw,
    REGEXP_REPLACE(lower(trim(a.status_raw)), '[^a-z0-9]+', '_') AS status,
    coalesce(lower(a.status_raw) = 'completed', false) AS is_completed,
    lower(a.priority_raw) AS priority,
    a.due_date,
    a.completed_at,
    a.source_system || ':' || a.lead_source_id AS lead_id,
    a.source_system || ':' || a.contact_source_id AS contact_id,
    a.source_system || ':' || a.deal_source_id AS deal_id,
    a.source_system || ':' || a.account_source_id AS account_id,
    a.owner_id,
    a.owner_name,
    a.created_at,
    a.updated_at
FROM activities AS a
