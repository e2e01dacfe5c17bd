-- syncs.onboarding_project_ids_sf: the won Salesforce opportunities that
-- have an onboarding project, for the sync onboarding_project_ids_to_sf,
-- which writes the project's id on the opportunity
-- (Onboarding_Project_Id__c) through the sync engine: the id is looked up
-- from what the sync closed_won_onboarding_projects wrote for the
-- opportunity (mapping `lookup:`; the engine runs that sync first). Read
-- from revops's own state (identity.state_sync_snapshots, a view of
-- _revops.sync_snapshots) when the model is read, so the ids of projects
-- created in this run are written in this run.
-- config: materialized=view
-- test: unique opportunity_id
WITH projects AS (
    SELECT {{ cast "NULL" "varchar" }} AS opportunity_id
    WHERE 1 = 0
{{- if source_exists "identity" "state_sync_snapshots" }}
    UNION ALL
    SELECT key
    FROM {{ source "identity" "state_sync_snapshots" }}
    WHERE sync = 'closed_won_onboarding_projects' AND destination_id IS NOT NULL
{{- end }}
)

SELECT o.opportunity_id
FROM {{ ref "stg_salesforce__opportunity" }} AS o
WHERE o.opportunity_id IN (SELECT opportunity_id FROM projects)
