-- syncs.zoho_leads_to_sf: Zoho CRM leads as Salesforce leads, for the sync
-- zoho_leads_to_sf, one half of the template "Leads both ways" (the other
-- half is syncs.sf_leads_to_zoho). The sync matches each row by
-- duplicate check: first the Salesforce Lead stamped with its Zoho id
-- (Zoho_Lead_Id__c), else the person's e-mail among Salesforce Leads and
-- Contacts (trimmed, any case), so a person already in Salesforce is
-- updated, never added twice.
--   - Left out: converted leads (they are Zoho contacts now); leads revops
--     itself wrote from Salesforce (the destinations of the sync
--     sf_leads_to_zoho, and leads whose Salesforce_Id names a Salesforce
--     record), so that a copy never goes back where it came from.
--   - One row per e-mail: when several Zoho leads hold one address (any
--     case), the oldest speaks for them (the others are the same person
--     to Salesforce). Leads without an e-mail are all kept: the sync
--     creates them once and finds them again by Zoho_Lead_Id__c.
--   - Salesforce needs LastName, Company and Status on create, so the
--     model fills them when Zoho has none; the sync's picklist maps turn
--     Zoho's status and source values into Salesforce's.
-- Reads only Zoho (and revops's own state), so it runs when Salesforce's
-- extract fails. Filter (which leads take part): add to the WHERE of
-- `leads`, e.g. by lead source (l.lead_source IN ('Web Download', 'Trade
-- Show')), e-mail opt-out (NOT l.email_opt_out) or owner (l.owner_name).
-- config: materialized=view
-- test: unique zoho_lead_id
-- test: not_null zoho_lead_id
WITH leads AS (
    SELECT l.*, nullif(lower(trim(l.email)), '') AS email_key
    FROM {{ ref "stg_zoho_crm__leads" }} AS l
    WHERE NOT l.is_converted
      AND nullif(trim(l.salesforce_id), '') IS NULL
{{- if source_exists "identity" "state_sync_snapshots" }}
      AND l.lead_id NOT IN (
          SELECT destination_id FROM {{ source "identity" "state_sync_snapshots" }}
          WHERE sync = 'sf_leads_to_zoho' AND destination_id IS NOT NULL)
{{- end }}
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
