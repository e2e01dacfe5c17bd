-- syncs.closed_won_contacts_zoho (sql/syncs/closed_won_contacts_zoho.sql, view)
WITH won_companies AS (
    SELECT DISTINCT company_id
    FROM "CORE"."DEALS"
    WHERE source_system = 'salesforce' AND is_won AND company_id IS NOT NULL
)

SELECT
    c.id                   AS contact_id,
    'Customer'             AS lifecycle_stage
FROM "ZOHO_CRM"."CONTACTS" AS c
JOIN "IDENTITY"."CROSSWALK" AS a
    ON a.system = 'zoho_crm' AND a.object = 'Accounts' AND a.source_id = GET(c.Account_Name, 'id')::VARCHAR
JOIN won_companies AS w ON w.company_id = a.golden_id
WHERE c._deleted_at IS NULL
  AND coalesce(c.Lifecycle_Stage, '') NOT IN ('Customer', 'Evangelist')
  AND NOT coalesce(c.Email_Opt_Out, false)
