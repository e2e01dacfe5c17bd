-- syncs.engagement_zoho_leads (sql/syncs/engagement_zoho_leads.sql, view)
SELECT
    r.lead_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM "SYNCS"."ENGAGEMENT_PEOPLE" AS e
JOIN "IDENTITY"."CROSSWALK" AS x
    ON x.golden_id = e.person_id AND x.system = 'zoho_crm' AND x.object = 'Leads'
JOIN "STAGING"."STG_ZOHO_CRM__LEADS" AS r ON r.lead_id = x.source_id
WHERE NOT r.is_converted
