-- core.activities: one row per task in either CRM (Salesforce Task, Zoho
-- CRM Tasks), linked to the lead, contact, deal and account it is about
-- (core ids; NULL when it is about none). activity_type is the Salesforce
-- Type in lower case (call, email, meeting, other); Zoho CRM Tasks carry no
-- type (calls and meetings are the Calls and Events modules, not
-- extracted), so they are 'task', like Salesforce tasks without a Type.
-- status is the picklist label in snake_case (not_started, in_progress,
-- completed, deferred, waiting_on_someone_else, ...).
-- config: materialized=table; unique_key=activity_id
-- test: unique activity_id
-- test: not_null activity_id
-- test: unique source_system,source_id
-- test: not_null activity_type
-- test: accepted_values source_system: salesforce,zoho_crm
-- test: accepted_values activity_type: call,email,meeting,other,task; severity=warn
-- test: relationships deal_id -> core.deals.deal_id; severity=warn
-- test: relationships lead_id -> core.leads.lead_id; severity=warn
-- test: relationships contact_id -> core.contacts.contact_id; severity=warn
WITH activities AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        {{ cast "NULL" "varchar" }} AS source_system,
        {{ cast "NULL" "varchar" }} AS source_id,
        {{ cast "NULL" "varchar" }} AS activity_type,
        {{ cast "NULL" "varchar" }} AS subject,
        {{ cast "NULL" "varchar" }} AS status_raw,
        {{ cast "NULL" "varchar" }} AS priority_raw,
        CAST(NULL AS DATE)    AS due_date,
        {{ cast "NULL" "timestamp" }} AS completed_at,
        {{ cast "NULL" "varchar" }} AS lead_source_id,
        {{ cast "NULL" "varchar" }} AS contact_source_id,
        {{ cast "NULL" "varchar" }} AS deal_source_id,
        {{ cast "NULL" "varchar" }} AS account_source_id,
        {{ cast "NULL" "varchar" }} AS owner_id,
        {{ cast "NULL" "varchar" }} AS owner_name,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "timestamp" }} AS updated_at
    WHERE 1 = 0
{{- if source_exists "salesforce" "task" }}

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
        {{ if source_exists "salesforce" "user" }}u.full_name{{ else }}NULL{{ end }},
        t.created_at,
        t.updated_at
    FROM {{ ref "stg_salesforce__task" }} AS t
    {{- if source_exists "salesforce" "user" }}
    LEFT JOIN {{ ref "stg_salesforce__user" }} AS u ON u.user_id = t.owner_id
    {{- end }}
{{- end }}
{{- if source_exists "zoho_crm" "tasks" }}

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
        {{ if source_exists "zoho_crm" "leads" }}wl.lead_id{{ else }}NULL{{ end }},
        t.who_id,
        {{ if source_exists "zoho_crm" "deals" }}wd.deal_id{{ else }}NULL{{ end }},
        {{ if source_exists "zoho_crm" "accounts" }}wa.account_id{{ else }}NULL{{ end }},
        t.owner_id,
        t.owner_name,
        t.created_at,
        t.updated_at
    FROM {{ ref "stg_zoho_crm__tasks" }} AS t
    {{- if source_exists "zoho_crm" "leads" }}
    LEFT JOIN {{ ref "stg_zoho_crm__leads" }} AS wl ON wl.lead_id = t.what_id
    {{- end }}
    {{- if source_exists "zoho_crm" "deals" }}
    LEFT JOIN {{ ref "stg_zoho_crm__deals" }} AS wd ON wd.deal_id = t.what_id
    {{- end }}
    {{- if source_exists "zoho_crm" "accounts" }}
    LEFT JOIN {{ ref "stg_zoho_crm__accounts" }} AS wa ON wa.account_id = t.what_id
    {{- end }}
{{- end }}
)

SELECT
    a.source_system || ':' || a.source_id AS activity_id,
    a.source_system,
    a.source_id,
    a.activity_type,
    a.subject,
    a.status_raw,
    {{ regexp_replace "lower(trim(a.status_raw))" "'[^a-z0-9]+'" "'_'" }} AS status,
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
