-- syncs.onboarding_project_ids_sf (sql/syncs/onboarding_project_ids_sf.sql)
WITH projects AS (
    SELECT CAST(NULL AS STRING) AS opportunity_id
    WHERE 1 = 0
    UNION ALL
    SELECT key
    FROM `identity`.`state_sync_snapshots`
    WHERE sync = 'closed_won_onboarding_projects' AND destination_id IS NOT NULL
)

SELECT o.opportunity_id
FROM `staging`.`stg_salesforce__opportunity` AS o
WHERE o.opportunity_id IN (SELECT opportunity_id FROM projects)
