-- syncs.engagement_zoho_leads (sql/syncs/engagement_zoho_leads.sql)
SELECT
    r.lead_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM `syncs`.`engagement_people` AS e
JOIN `identity`.`crosswalk` AS x
    ON x.golden_id = e.person_id AND x.system = 'zoho_crm' AND x.object = 'Leads'
JOIN `staging`.`stg_zoho_crm__leads` AS r ON r.lead_id = x.source_id
WHERE NOT r.is_converted
