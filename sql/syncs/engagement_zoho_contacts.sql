-- syncs.engagement_zoho_contacts: the Zoho Campaigns engagement of each person
-- (syncs.engagement_people: score, band, last engagement, e-mail opt-out)
-- on their Zoho CRM contacts, found through identity.crosswalk from the
-- golden person id; written by the sync engagement_zoho_contacts (mode update,
-- matched by record id: it never creates records).
-- Filter: which people take part is the WHERE of
-- syncs.engagement_people; which records: add a WHERE, e.g. by lead
-- source (r.lead_source <> 'Purchased List') or owner (r.owner_id).
-- config: materialized=view
-- test: unique contact_id
-- test: not_null contact_id
SELECT
    r.contact_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM {{ ref "syncs.engagement_people" }} AS e
JOIN {{ ref "identity.crosswalk" }} AS x
    ON x.golden_id = e.person_id AND x.system = 'zoho_crm' AND x.object = 'Contacts'
JOIN {{ ref "stg_zoho_crm__contacts" }} AS r ON r.contact_id = x.source_id
