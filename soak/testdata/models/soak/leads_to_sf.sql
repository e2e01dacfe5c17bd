-- soak.leads_to_sf: Zoho CRM's own leads (not the ones the soak's insert
-- sync copied from Salesforce) for the sync soak_leads_to_sf (upsert on
-- Zoho_Lead_Id__c, sObject Collections). Salesforce needs LastName and
-- Company on create.
-- config: materialized=view
SELECT
    id                                                  AS zoho_lead_id,
    First_Name                                          AS first_name,
    coalesce(nullif(trim(Last_Name), ''), '[unknown]')  AS last_name,
    coalesce(nullif(trim(Company), ''), '[none]')       AS company,
    'zoho lead ' || id || ' ' || coalesce(Email, '')    AS description
FROM {{ source "zoho_crm" "leads" }}
WHERE _deleted_at IS NULL AND Salesforce_Id IS NULL
