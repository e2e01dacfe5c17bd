-- syncs.onboarding_project_ids_sf (sql/syncs/onboarding_project_ids_sf.sql, view)
WITH projects AS (
    SELECT CAST(NULL AS VARCHAR) AS opportunity_id
    WHERE 1 = 0
    UNION ALL
    SELECT key
    FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS"
    WHERE sync = 'closed_won_onboarding_projects' AND destination_id IS NOT NULL
)

SELECT o.opportunity_id
FROM "STAGING"."STG_SALESFORCE__OPPORTUNITY" AS o
WHERE o.opportunity_id IN (SELECT opportunity_id FROM projects)
