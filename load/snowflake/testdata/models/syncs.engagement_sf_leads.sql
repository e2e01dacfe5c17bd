-- syncs.engagement_sf_leads (sql/syncs/engagement_sf_leads.sql, view)
SELECT
    r.lead_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM "SYNCS"."ENGAGEMENT_PEOPLE" AS e
JOIN "IDENTITY"."CROSSWALK" AS x
    ON x.golden_id = e.person_id AND x.system = 'salesforce' AND x.object = 'Lead'
JOIN "STAGING"."STG_SALESFORCE__LEAD" AS r ON r.lead_id = x.source_id
WHERE NOT r.is_converted
