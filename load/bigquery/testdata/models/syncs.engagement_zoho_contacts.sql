-- syncs.engagement_zoho_contacts (sql/syncs/engagement_zoho_contacts.sql)
SELECT
    r.contact_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM `syncs`.`engagement_people` AS e
JOIN `identity`.`crosswalk` AS x
    ON x.golden_id = e.person_id AND x.system = 'zoho_crm' AND x.object = 'Contacts'
JOIN `staging`.`stg_zoho_crm__contacts` AS r ON r.contact_id = x.source_id
