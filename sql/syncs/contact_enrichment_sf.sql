-- syncs.contact_enrichment_sf: per Salesforce contact, figures of its
-- person (the golden person: every lead and contact of them in Salesforce,
-- Zoho CRM and Zoho Desk), written back by the sync contact_enrichment_sf
-- (mode update, matched by record id):
--   open_tickets      the person's open support tickets (core.tickets)
--   last_activity_at  their last task, call, meeting, e-mail or ticket
--                     (syncs.last_activity)
--   person_id         their golden person id (identity.persons)
--   company_id        their golden company id (identity.companies)
-- Filter (which contacts take part): add a WHERE, e.g. NOT
-- c.has_opted_out_of_email, c.lead_source or c.owner_id.
-- config: materialized=view
-- test: unique contact_id
-- test: not_null contact_id
WITH tickets AS (
    SELECT person_id, count(*) AS open_tickets
    FROM {{ ref "core.tickets" }}
    WHERE NOT is_closed AND person_id IS NOT NULL
    GROUP BY person_id
)

SELECT
    c.contact_id,
    coalesce(t.open_tickets, 0) AS open_tickets,
    l.last_activity_at,
    x.golden_id                 AS person_id,
    p.company_id
FROM {{ ref "stg_salesforce__contact" }} AS c
LEFT JOIN {{ ref "identity.crosswalk" }} AS x
    ON x.system = 'salesforce' AND x.object = 'Contact' AND x.source_id = c.contact_id
LEFT JOIN {{ ref "identity.persons" }} AS p ON p.person_id = x.golden_id
LEFT JOIN tickets AS t ON t.person_id = x.golden_id
LEFT JOIN {{ ref "syncs.last_activity" }} AS l ON l.entity = 'person' AND l.golden_id = x.golden_id
