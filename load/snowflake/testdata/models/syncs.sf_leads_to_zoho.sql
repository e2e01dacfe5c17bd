-- syncs.sf_leads_to_zoho (sql/syncs/sf_leads_to_zoho.sql, view)
WITH from_zoho AS (
    SELECT email_key
    FROM (
        SELECT nullif(lower(trim(email)), '') AS email_key FROM "SYNCS"."ZOHO_LEADS_TO_SF"
    ) AS z
    WHERE email_key IS NOT NULL
),

leads AS (
    SELECT l.*, nullif(lower(trim(l.email)), '') AS email_key
    FROM "STAGING"."STG_SALESFORCE__LEAD" AS l
    WHERE NOT l.is_converted
      AND l.lead_id NOT IN (
          SELECT Id FROM "SALESFORCE"."LEAD"
          WHERE nullif(trim(Zoho_Lead_Id__c), '') IS NOT NULL)
      AND l.lead_id NOT IN (
          SELECT destination_id FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS"
          WHERE sync = 'zoho_leads_to_sf' AND destination_id IS NOT NULL)
),

ranked AS (
    SELECT *,
        row_number() OVER (PARTITION BY email_key ORDER BY created_at NULLS LAST, lead_id) AS nth
    FROM leads
    WHERE email_key IS NULL OR email_key NOT IN (SELECT email_key FROM from_zoho)
)

SELECT
    lead_id                                        AS sf_lead_id,
    first_name,
    coalesce(nullif(trim(last_name), ''), '[unknown]') AS last_name,
    coalesce(nullif(trim(company), ''), '[not provided]') AS company,
    nullif(trim(email), '')                        AS email,
    phone,
    coalesce(status, 'Open - Not Contacted')       AS lead_status,
    lead_source
FROM ranked
WHERE email_key IS NULL OR nth = 1
