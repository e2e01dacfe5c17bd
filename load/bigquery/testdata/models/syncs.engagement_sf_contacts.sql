-- syncs.engagement_sf_contacts (sql/syncs/engagement_sf_contacts.sql)
SELECT
    r.contact_id,
    e.score,
    e.band,
    e.last_engagement_at,
    e.opted_out
FROM `syncs`.`engagement_people` AS e
JOIN `identity`.`crosswalk` AS x
    ON x.golden_id = e.person_id AND x.system = 'salesforce' AND x.object = 'Contact'
JOIN `staging`.`stg_salesforce__contact` AS r ON r.contact_id = x.source_id
