-- syncs.closed_won_contacts_zoho: the contacts of Zoho CRM accounts whose
-- company (the golden company, identity.crosswalk) has a Closed Won
-- Salesforce opportunity, with the lifecycle stage to write: Customer.
-- The sync closed_won_contacts_zoho writes it once per contact (mode
-- update): a contact already at Customer or beyond is left out, and the
-- sync's snapshot remembers what it wrote, so a user's later change
-- stands. Part of the Closed Won → Zoho template (the link
-- sf_closed_won_to_zoho updates the account).
-- Filter (which contacts take part): edit the WHERE below, e.g. by owner
-- (c.Owner.name), lead source (c.Lead_Source) or e-mail opt-out.
-- config: materialized=view
-- test: unique contact_id
-- test: not_null contact_id
WITH won_companies AS (
    SELECT DISTINCT company_id
    FROM {{ ref "core.deals" }}
    WHERE source_system = 'salesforce' AND is_won AND company_id IS NOT NULL
)

SELECT
    c.id                   AS contact_id,
    'Customer'             AS lifecycle_stage
FROM {{ source "zoho_crm" "contacts" }} AS c
JOIN {{ ref "identity.crosswalk" }} AS a
    ON a.system = 'zoho_crm' AND a.object = 'Accounts' AND a.source_id = {{ field "c.Account_Name" "id" }}
JOIN won_companies AS w ON w.company_id = a.golden_id
WHERE c._deleted_at IS NULL
  AND coalesce(c.Lifecycle_Stage, '') NOT IN ('Customer', 'Evangelist')
  AND NOT coalesce(c.Email_Opt_Out, false)
