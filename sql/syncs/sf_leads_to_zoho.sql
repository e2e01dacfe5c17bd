-- syncs.sf_leads_to_zoho: Salesforce leads as Zoho CRM leads, for the sync
-- sf_leads_to_zoho, the other half of the template "Leads both ways"
-- (with syncs.zoho_leads_to_sf). The sync matches each row by duplicate
-- check: first the Zoho record stamped with its Salesforce id
-- (Salesforce_Id), else the person's e-mail among Zoho Leads and Contacts
-- (trimmed, any case), so a person already in Zoho is updated, never
-- added twice.
--   - Left out: converted leads (they are Salesforce contacts now); leads
--     revops itself wrote from Zoho (the destinations of the sync
--     zoho_leads_to_sf, and leads stamped with a Zoho_Lead_Id__c), so that
--     a copy never goes back where it came from; and leads whose e-mail a
--     row of syncs.zoho_leads_to_sf holds: a person who is a lead in both
--     CRMs is kept by the Zoho → Salesforce half alone, whichever sync
--     runs first, so the two never write one person both ways.
--   - One row per e-mail: when several Salesforce leads hold one address
--     (any case), the oldest speaks for them. Leads without an e-mail are
--     all kept: the sync creates them once and finds them again by
--     Salesforce_Id.
--   - Zoho needs Last_Name (and Company, in its standard layout) on
--     create: the model fills them when Salesforce has none; the sync's
--     picklist maps turn Salesforce's status and source values into
--     Zoho's.
-- Filter (which leads take part): add to the WHERE of `leads`, e.g. by
-- lead source (l.lead_source IN ('Web', 'Partner Referral')), owner
-- (l.owner_id = '005…') or e-mail opt-out (l.lead_id NOT IN (SELECT Id
-- FROM the landed salesforce.lead WHERE HasOptedOutOfEmail): a standard
-- Lead field that the sandbox's org leaves out).
-- config: materialized=view
-- test: unique sf_lead_id
-- test: not_null sf_lead_id
WITH from_zoho AS (
    SELECT email_key
    FROM (
        SELECT nullif(lower(trim(email)), '') AS email_key FROM {{ ref "syncs.zoho_leads_to_sf" }}
    ) AS z
    WHERE email_key IS NOT NULL
),

leads AS (
    SELECT l.*, nullif(lower(trim(l.email)), '') AS email_key
    FROM {{ ref "stg_salesforce__lead" }} AS l
    WHERE NOT l.is_converted
      AND l.lead_id NOT IN (
          SELECT Id FROM {{ source "salesforce" "lead" }}
          WHERE nullif(trim(Zoho_Lead_Id__c), '') IS NOT NULL)
{{- if source_exists "identity" "state_sync_snapshots" }}
      AND l.lead_id NOT IN (
          SELECT destination_id FROM {{ source "identity" "state_sync_snapshots" }}
          WHERE sync = 'zoho_leads_to_sf' AND destination_id IS NOT NULL)
{{- end }}
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
