-- soak.leads_to_zoho: Salesforce's own leads (not the ones the soak's
-- upsert sync copied from Zoho) for the sync soak_leads_to_zoho (insert,
-- duplicate check on Salesforce_Id: each lead is written once).
-- config: materialized=view
SELECT
    Id                                                  AS sf_lead_id,
    FirstName                                           AS first_name,
    coalesce(nullif(trim(LastName), ''), '[unknown]')   AS last_name,
    Company                                             AS company
FROM {{ source "salesforce" "lead" }}
WHERE _deleted_at IS NULL AND Zoho_Lead_Id__c IS NULL AND NOT IsConverted
