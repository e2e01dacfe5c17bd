-- syncs.desk_escalations_to_sf_tasks: one Salesforce Task per escalated
-- Zoho Desk ticket, on the Salesforce Account of the ticket's person, for
-- the sync desk_escalations_to_sf_tasks (upsert on the Task's external id
-- Zoho_Desk_Ticket_Id__c: never created twice).
--   - Which tickets: escalated now, escalated in any version the extract
--     saw (zoho_desk.tickets__history), or already given a Task by the
--     sync (so that closing the ticket completes its Task: Desk clears
--     isEscalated on closing).
--   - The person: the ticket contact's golden person (identity.crosswalk,
--     matched on e-mail among other things), else the one person whose
--     contacts hold the ticket's e-mail. The Task goes to that person's
--     Salesforce Contact (WhoId; the most recently changed one with an
--     account) and its Account (WhatId); without such a contact, to the
--     one Salesforce Account of the person's golden company. A ticket
--     with no Salesforce Account is not synced until identity finds one.
-- Filter (which tickets take part): edit the WHERE of `escalated`, e.g.
-- by priority (t.priority), channel (t.channel) or department.
-- config: materialized=view
-- test: unique zoho_ticket_id
-- test: not_null zoho_ticket_id
-- test: not_null sf_account_id
WITH escalated AS (
    SELECT t.*
    FROM {{ ref "core.tickets" }} AS t
    WHERE t.source_system = 'zoho_desk'
      AND (
          t.is_escalated
          OR t.status_raw = 'Escalated'
{{- if source_exists "zoho_desk" "tickets__history" }}
          OR t.source_id IN (
              SELECT ticket_id FROM {{ ref "stg_zoho_desk__tickets_versions" }} WHERE status = 'Escalated')
{{- end }}
{{- if source_exists "identity" "state_sync_snapshots" }}
          OR t.source_id IN (
              SELECT key FROM {{ source "identity" "state_sync_snapshots" }}
              WHERE sync = 'desk_escalations_to_sf_tasks' AND destination_id IS NOT NULL)
{{- end }}
      )
),

by_email AS (
    SELECT email_normalized, min(person_id) AS person_id
    FROM {{ ref "core.contacts" }}
    WHERE person_id IS NOT NULL AND email_normalized IS NOT NULL AND email_normalized <> ''
    GROUP BY email_normalized
    HAVING count(DISTINCT person_id) = 1
),

people AS (
    SELECT e.*, coalesce(e.person_id, m.person_id) AS golden_person_id
    FROM escalated AS e
    LEFT JOIN by_email AS m ON m.email_normalized = lower(trim(e.email))
),

sf_contacts AS (
    SELECT x.golden_id AS person_id, c.contact_id, c.account_id,
        row_number() OVER (
            PARTITION BY x.golden_id
            ORDER BY c.account_id IS NULL, c.updated_at DESC NULLS LAST, c.contact_id
        ) AS nth
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "stg_salesforce__contact" }} AS c ON c.contact_id = x.source_id
    WHERE x.system = 'salesforce' AND x.object = 'Contact'
),

sf_accounts AS (
    SELECT golden_id AS company_id, min(source_id) AS account_id
    FROM {{ ref "identity.crosswalk" }}
    WHERE system = 'salesforce' AND object = 'Account'
    GROUP BY golden_id
    HAVING count(*) = 1
)

SELECT
    p.source_id                                                    AS zoho_ticket_id,
    substr('Escalated ticket #' || coalesce(p.ticket_number, p.source_id) || ': '
        || coalesce(p.subject, '(no subject)'), 1, 255)            AS subject,
    'Zoho Desk ticket #' || coalesce(p.ticket_number, p.source_id)
        || ' (' || coalesce(p.channel, 'no channel') || '), from '
        || coalesce(p.email, 'no e-mail') || '.'                   AS description,
    coalesce(p.status_raw, 'Open')                                 AS ticket_status,
    coalesce(p.priority_raw, 'Medium')                             AS ticket_priority,
    CAST(p.due_at AS DATE)                                         AS due_date,
    coalesce(c.account_id, a.account_id)                           AS sf_account_id,
    c.contact_id                                                   AS sf_contact_id
FROM people AS p
LEFT JOIN sf_contacts AS c ON c.person_id = p.golden_person_id AND c.nth = 1
LEFT JOIN {{ ref "identity.persons" }} AS gp ON gp.person_id = p.golden_person_id
LEFT JOIN sf_accounts AS a ON a.company_id = gp.company_id
WHERE coalesce(c.account_id, a.account_id) IS NOT NULL
