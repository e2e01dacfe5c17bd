-- syncs.desk_escalations_to_sf_tasks (sql/syncs/desk_escalations_to_sf_tasks.sql, view)
WITH escalated AS (
    SELECT t.*
    FROM "CORE"."TICKETS" AS t
    WHERE t.source_system = 'zoho_desk'
      AND (
          t.is_escalated
          OR t.status_raw = 'Escalated'
          OR t.source_id IN (
              SELECT ticket_id FROM "STAGING"."STG_ZOHO_DESK__TICKETS_VERSIONS" WHERE status = 'Escalated')
          OR t.source_id IN (
              SELECT key FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS"
              WHERE sync = 'desk_escalations_to_sf_tasks' AND destination_id IS NOT NULL)
      )
),

by_email AS (
    SELECT email_normalized, min(person_id) AS person_id
    FROM "CORE"."CONTACTS"
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
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "STAGING"."STG_SALESFORCE__CONTACT" AS c ON c.contact_id = x.source_id
    WHERE x.system = 'salesforce' AND x.object = 'Contact'
),

sf_accounts AS (
    SELECT golden_id AS company_id, min(source_id) AS account_id
    FROM "IDENTITY"."CROSSWALK"
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
LEFT JOIN "IDENTITY"."PERSONS" AS gp ON gp.person_id = p.golden_person_id
LEFT JOIN sf_accounts AS a ON a.company_id = gp.company_id
WHERE coalesce(c.account_id, a.account_id) IS NOT NULL
