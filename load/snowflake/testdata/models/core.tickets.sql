-- core.tickets (sql/core/tickets.sql, table)
WITH tickets AS (
    -- An empty row set that fixes the columns and their types; every
    -- source present in the warehouse adds its rows below.
    SELECT
        CAST(NULL AS VARCHAR) AS source_system,
        CAST(NULL AS VARCHAR) AS source_id,
        CAST(NULL AS VARCHAR) AS ticket_number,
        CAST(NULL AS VARCHAR) AS subject,
        CAST(NULL AS VARCHAR) AS status_raw,
        CAST(NULL AS VARCHAR) AS priority_raw,
        CAST(NULL AS VARCHAR) AS channel,
        CAST(NULL AS VARCHAR) AS account_source_id,
        CAST(NULL AS VARCHAR) AS contact_source_id,
        CAST(NULL AS VARCHAR) AS email,
        CAST(NULL AS BOOLEAN) AS is_escalated,
        CAST(NULL AS TIMESTAMP_TZ) AS created_at,
        CAST(NULL AS TIMESTAMP_TZ) AS first_response_at,
        CAST(NULL AS TIMESTAMP_TZ) AS closed_at,
        CAST(NULL AS TIMESTAMP_TZ) AS due_at,
        CAST(NULL AS TIMESTAMP_TZ) AS updated_at
    WHERE 1 = 0

    UNION ALL
    SELECT
        'zoho_desk', ticket_id, ticket_number, subject, status, priority, channel,
        account_id, contact_id, email, is_escalated,
        created_at, first_response_at, closed_at, due_at, updated_at
    FROM "STAGING"."STG_ZOHO_DESK__TICKETS"
    WHERE NOT is_spam

    UNION ALL
    SELECT
        'salesforce', case_id, case_number, subject, status, priority, origin,
        account_id, contact_id, supplied_email, is_escalated,
        created_at, NULL, closed_at, NULL, updated_at
    FROM "STAGING"."STG_SALESFORCE__CASE"
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
    DATEDIFF(hour, t.created_at, t.first_response_at) AS first_response_hours,
    DATEDIFF(hour, t.created_at, t.closed_at) AS resolution_hours,
    coalesce(t.due_at < coalesce(t.closed_at, CURRENT_TIMESTAMP()), false) AS is_overdue,
    t.updated_at
FROM tickets AS t
LEFT JOIN "SEEDS"."TICKET_STATUS_MAP" AS sm
    ON sm.source_system = t.source_system AND sm.status_raw = t.status_raw
LEFT JOIN "SEEDS"."TICKET_PRIORITIES" AS p
    ON p.source_system = t.source_system AND p.priority_raw = t.priority_raw
LEFT JOIN "IDENTITY"."CROSSWALK" AS xp
    ON xp.record_id = t.source_system || ':' || CASE t.source_system
        WHEN 'salesforce' THEN 'Contact' ELSE 'contacts' END || ':' || t.contact_source_id
LEFT JOIN "IDENTITY"."CROSSWALK" AS xc
    ON xc.record_id = t.source_system || ':' || CASE t.source_system
        WHEN 'salesforce' THEN 'Account' ELSE 'accounts' END || ':' || t.account_source_id
