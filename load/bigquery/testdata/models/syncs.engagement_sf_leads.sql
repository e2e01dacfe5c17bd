-- syncs.engagement_sf_leads (sql/syncs/engagement_sf_leads.sql)
SELECT
    r.lead_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM `syncs`.`engagement_people` AS e
JOIN `identity`.`crosswalk` AS x
    ON x.golden_id = e.person_id AND x.system = 'salesforce' AND x.object = 'Lead'
JOIN `staging`.`stg_salesforce__lead` AS r ON r.lead_id = x.source_id
WHERE NOT r.is_converted
