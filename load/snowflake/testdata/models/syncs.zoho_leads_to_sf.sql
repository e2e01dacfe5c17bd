-- syncs.zoho_leads_to_sf (sql/syncs/zoho_leads_to_sf.sql, view)
WITH leads AS (
    SELECT l.*, nullif(lower(trim(l.email)), '') AS email_key
    FROM "STAGING"."STG_ZOHO_CRM__LEADS" AS l
    WHERE NOT l.is_converted
      AND nullif(trim(l.salesforce_id), '') IS NULL
      AND l.lead_id NOT IN (
          SELECT destination_id FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS"
          WHERE sync = 'sf_leads_to_zoho' AND destination_id IS NOT NULL)
),

ranked AS (
    SELECT *,
        row_number() OVER (PARTITION BY email_key ORDER BY created_at NULLS LAST, lead_id) AS nth
    FROM leads
)

SELECT
    lead_id                                        AS zoho_lead_id,
    first_name,
    coalesce(nullif(trim(last_name), ''), '[unknown]') AS last_name,
    coalesce(nullif(trim(company), ''), '[not provided]') AS company,
    nullif(trim(email), '')                        AS email,
    phone,
    coalesce(lead_status, 'Not Contacted')         AS lead_status,
    lead_source
FROM ranked
WHERE email_key IS NULL OR nth = 1
