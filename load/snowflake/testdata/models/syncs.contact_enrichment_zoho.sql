-- syncs.contact_enrichment_zoho (sql/syncs/contact_enrichment_zoho.sql, view)
WITH tickets AS (
    SELECT person_id, count(*) AS open_tickets
    FROM "CORE"."TICKETS"
    WHERE NOT is_closed AND person_id IS NOT NULL
    GROUP BY person_id
)

SELECT
    c.contact_id,
    coalesce(t.open_tickets, 0) AS open_tickets,
    l.last_activity_at,
    x.golden_id                 AS person_id,
    p.company_id
FROM "STAGING"."STG_ZOHO_CRM__CONTACTS" AS c
LEFT JOIN "IDENTITY"."CROSSWALK" AS x
    ON x.system = 'zoho_crm' AND x.object = 'Contacts' AND x.source_id = c.contact_id
LEFT JOIN "IDENTITY"."PERSONS" AS p ON p.person_id = x.golden_id
LEFT JOIN tickets AS t ON t.person_id = x.golden_id
LEFT JOIN "SYNCS"."LAST_ACTIVITY" AS l ON l.entity = 'person' AND l.golden_id = x.golden_id
