-- syncs.engagement_zoho_leads: the Zoho Campaigns engagement of each person
-- (syncs.engagement_people: score, band, last engagement, e-mail opt-out)
-- on their Zoho CRM leads, found through identity.crosswalk from the
-- golden person id; written by the sync engagement_zoho_leads (mode update,
-- matched by record id: it never creates records).
-- Converted leads are left out (the contact they became is written
-- instead).
-- Filter: which people take part is the WHERE of
-- syncs.engagement_people; which records, the WHERE at the end, e.g. by lead
-- source (r.lead_source <> 'Purchased List') or owner (r.owner_id).
-- config: materialized=view
-- test: unique lead_id
-- test: not_null lead_id
SELECT
    r.lead_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM {{ ref "syncs.engagement_people" }} AS e
JOIN {{ ref "identity.crosswalk" }} AS x
    ON x.golden_id = e.person_id AND x.system = 'zoho_crm' AND x.object = 'Leads'
JOIN {{ ref "stg_zoho_crm__leads" }} AS r ON r.lead_id = x.source_id
WHERE NOT r.is_converted
