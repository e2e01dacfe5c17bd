-- syncs.zoho_leads_to_sf: Zoho CRM leads as Salesforce leads, one way, for
-- the sync zoho_leads_to_sf (mode upsert on the external id
-- Zoho_Lead_Id__c). Salesforce needs LastName, Company and Status on
-- create, so the model fills them when Zoho has none; the sync's picklist
-- maps turn Zoho's status and source values into Salesforce's.
-- config: materialized=view
-- test: unique zoho_lead_id
-- test: not_null zoho_lead_id
SELECT
    lead_id                                        AS zoho_lead_id,
    first_name,
    coalesce(nullif(trim(last_name), ''), '[unknown]') AS last_name,
    coalesce(nullif(trim(company), ''), '[not provided]') AS company,
    email,
    phone,
    coalesce(lead_status, 'Not Contacted')         AS lead_status,
    lead_source
FROM {{ ref "stg_zoho_crm__leads" }}
