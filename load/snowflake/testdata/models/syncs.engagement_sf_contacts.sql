-- syncs.engagement_sf_contacts (sql/syncs/engagement_sf_contacts.sql, view)
SELECT
    r.contact_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM "SYNCS"."ENGAGEMENT_PEOPLE" AS e
JOIN "IDENTITY"."CROSSWALK" AS x
    ON x.golden_id = e.person_id AND x.system = 'salesforce' AND x.object = 'Contact'
JOIN "STAGING"."STG_SALESFORCE__CONTACT" AS r ON r.contact_id = x.source_id
