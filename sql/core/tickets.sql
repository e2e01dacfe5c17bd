-- core.tickets: one row per support ticket: Zoho Desk tickets and
-- Salesforce Cases. status and priority are normalized through
-- seeds.ticket_status_map and seeds.ticket_priorities (raw labels in
-- status_raw / priority_raw). Times are in hours from the ticket's creation:
-- first_response_hours to the first answer (Desk's customerResponseTime;
-- Salesforce Cases carry none), resolution_hours to closing. is_overdue:
-- the ticket has a due time and was closed after it, or is still open past it.
-- person_id and company_id are the golden ids (identity.persons,
-- identity.companies) of its contact and account.
-- config: materialized=table; unique_key=ticket_id
-- test: unique ticket_id
-- test: not_null ticket_id
-- test: unique source_system,source_id
-- test: not_null created_at; severity=warn
-- test: not_null status; severity=warn
-- test: not_null priority; severity=warn
-- test: accepted_values source_system: zoho_desk,salesforce
-- test: accepted_values status: open,on_hold,escalated,closed; severity=warn
-- test: accepted_values priority: urgent,high,medium,low; severity=warn
-- test: relationships account_id -> core.accounts.account_id; severity=warn
-- test: relationships contact_id -> core.contacts.contact_id; severity=warn
WITH tickets AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        {{ cast "NULL" "varchar" }} AS source_system,
        {{ cast "NULL" "varchar" }} AS source_id,
        {{ cast "NULL" "varchar" }} AS ticket_number,
        {{ cast "NULL" "varchar" }} AS subject,
        {{ cast "NULL" "varchar" }} AS status_raw,
        {{ cast "NULL" "varchar" }} AS priority_raw,
        {{ cast "NULL" "varchar" }} AS channel,
        {{ cast "NULL" "varchar" }} AS account_source_id,
        {{ cast "NULL" "varchar" }} AS contact_source_id,
        {{ cast "NULL" "varchar" }} AS email,
        {{ cast "NULL" "boolean" }} AS is_escalated,
        {{ cast "NULL" "timestamp" }} AS created_at,
        {{ cast "NULL" "timestamp" }} AS first_response_at,
        {{ cast "NULL" "timestamp" }} AS closed_at,
        {{ cast "NULL" "timestamp" }} AS due_at,
        {{ cast "NULL" "timestamp" }} AS updated_at
    WHERE 1 = 0
{{- if source_exists "zoho_desk" "tickets" }}

    UNION ALL
    SELECT
        'zoho_desk', ticket_id, ticket_number, subject, status, priority, channel,
        account_id, contact_id, email, is_escalated,
        created_at, first_response_at, closed_at, due_at, updated_at
    FROM {{ ref "stg_zoho_desk__tickets" }}
    WHERE NOT is_spam
{{- end }}
{{- if source_exists "salesforce" "case" }}

    UNION ALL
    SELECT
        'salesforce', case_id, case_number, subject, status, priority, origin,
        account_id, contact_id, supplied_email, is_escalated,
        created_at, NULL, closed_at, NULL, updated_at
    FROM {{ ref "stg_salesforce__case" }}
{{- end }}
)

SELECT
    t.source_system || ':' || t.source_id AS ticket_id,
    t.source_system,
    t.source_id,
    t.ticket_number,
    t.subject,
    t.status_raw,
    sm.status,
    coalesce(sm.is_closed, t.closed_at IS NOT NULL) AS is_closed,
    t.priority_raw,
    p.priority,
    p.priority_order,
    t.channel,
    t.source_system || ':' || t.account_source_id AS account_id,
    t.account_source_id,
    t.source_system || ':' || t.contact_source_id AS contact_id,
    t.contact_source_id,
    xp.golden_id AS person_id,
    xc.golden_id AS company_id,
    t.email,
    t.is_escalated,
    t.created_at,
    CAST(t.created_at AS DATE) AS created_date,
    t.first_response_at,
    t.closed_at,
    t.due_at,
    {{ datediff "hour" "t.created_at" "t.first_response_at" }} AS first_response_hours,
    {{ datediff "hour" "t.created_at" "t.closed_at" }} AS resolution_hours,
    coalesce(t.due_at < coalesce(t.closed_at, {{ now }}), false) AS is_overdue,
    t.updated_at
FROM tickets AS t
LEFT JOIN {{ ref "seeds.ticket_status_map" }} AS sm
    ON sm.source_system = t.source_system AND sm.status_raw = t.status_raw
LEFT JOIN {{ ref "seeds.ticket_priorities" }} AS p
    ON p.source_system = t.source_system AND p.priority_raw = t.priority_raw
LEFT JOIN {{ ref "identity.crosswalk" }} AS xp
    ON xp.record_id = t.source_system || ':' || CASE t.source_system
        WHEN 'salesforce' THEN 'Contact' ELSE 'contacts' END || ':' || t.contact_source_id
LEFT JOIN {{ ref "identity.crosswalk" }} AS xc
    ON xc.record_id = t.source_system || ':' || CASE t.source_system
        WHEN 'salesforce' THEN 'Account' ELSE 'accounts' END || ':' || t.account_source_id
