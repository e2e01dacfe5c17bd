-- syncs.sf_contacts_to_desk: the Salesforce contacts Zoho Desk lacks, for
-- the sync sf_contacts_to_desk (template "Desk with Salesforce"). The sync
-- stamps each Desk contact it writes with the CRM id (cf_salesforce_id) and
-- matches by that stamp, else by e-mail (trimmed, any case), else by first
-- and last name within the same Desk account: a person Desk holds already
-- is updated, never added twice. A contact without e-mail is matched the
-- same way, never created blind (the stamp finds it again after a lost
-- answer).
--   - Left out: contacts whose person already has a Desk contact
--     (identity.crosswalk; the contacts this sync wrote are paired there
--     from the next build on): from then on the link desk_sf_contacts
--     keeps their fields equal, and the sync writes them no more.
--   - desk_account_id: the Desk account of the contact's CRM account, the
--     one the sync sf_accounts_to_desk (or, feeding one Desk, the sync
--     zoho_accounts_to_desk for the same company) wrote (read when the
--     sync runs: the accounts syncs run first) or the one identity pairs
--     with it;
--     empty when there is none (the contact goes to Desk without one).
--   - When Zoho CRM feeds the same Desk too (the sync zoho_contacts_to_desk
--     is configured, as in the sandbox), the people that half sends
--     now are left out (identity says who is who), so one person never
--     becomes two Desk contacts under two spellings. With Salesforce alone,
--     nothing is left out.
--   - Desk needs lastName: contacts without one are left out.
-- Filter (which contacts take part): add a WHERE, e.g. NOT
-- c.has_opted_out_of_email, c.lead_source <> 'Purchased List' or c.owner_id.
-- config: materialized=view
-- test: unique sf_contact_id
-- test: not_null sf_contact_id
WITH zoho_half AS (
    -- When Zoho CRM feeds this Desk too: the golden ids its sync sends now.
    SELECT {{ cast "NULL" "varchar" }} AS golden_id
    WHERE 1 = 0
{{- if source_exists "zoho_crm" "contacts" }}
    UNION ALL
    SELECT DISTINCT x.golden_id
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "syncs.zoho_contacts_to_desk" }} AS z ON z.zoho_contact_id = x.source_id
    WHERE x.system = 'zoho_crm' AND x.object = 'Contacts'
      AND EXISTS (SELECT 1 FROM {{ ref "seeds.identity_syncs" }} AS s WHERE s.sync = 'zoho_contacts_to_desk')
{{- end }}
),

in_desk AS (
    SELECT DISTINCT x.source_id
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "identity.crosswalk" }} AS d
        ON d.golden_id = x.golden_id AND d.system = 'zoho_desk' AND d.object = 'contacts'
    WHERE x.system = 'salesforce' AND x.object = 'Contact'
),

-- The Desk account of each CRM account: the one the accounts sync wrote,
-- else the one Desk account of the same company.
written AS (
    SELECT {{ cast "NULL" "varchar" }} AS sf_account_id, {{ cast "NULL" "varchar" }} AS desk_account_id
    WHERE 1 = 0
{{- if source_exists "identity" "state_sync_snapshots" }}
    UNION ALL
    SELECT key, max(destination_id)
    FROM {{ source "identity" "state_sync_snapshots" }}
    WHERE sync = 'sf_accounts_to_desk' AND destination_id IS NOT NULL
    GROUP BY key
    UNION ALL
    -- the company's account the Zoho CRM half wrote (feeding one Desk)
    SELECT x.source_id, max(s.destination_id)
    FROM {{ source "identity" "state_sync_snapshots" }} AS s
    JOIN {{ ref "identity.crosswalk" }} AS z
        ON z.system = 'zoho_crm' AND z.object = 'Accounts' AND z.source_id = s.key
    JOIN {{ ref "identity.crosswalk" }} AS x
        ON x.golden_id = z.golden_id AND x.system = 'salesforce' AND x.object = 'Account'
    WHERE s.sync = 'zoho_accounts_to_desk' AND s.destination_id IS NOT NULL
    GROUP BY x.source_id
    HAVING count(DISTINCT s.destination_id) = 1
{{- end }}
),

paired AS (
    SELECT x.source_id AS sf_account_id, max(d.source_id) AS desk_account_id
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "identity.crosswalk" }} AS d
        ON d.golden_id = x.golden_id AND d.system = 'zoho_desk' AND d.object = 'accounts'
    WHERE x.system = 'salesforce' AND x.object = 'Account'
    GROUP BY x.source_id
    HAVING count(DISTINCT d.source_id) = 1
)

SELECT
    c.contact_id                   AS sf_contact_id,
    coalesce(w.desk_account_id, p.desk_account_id) AS desk_account_id,
    nullif(trim(c.first_name), '') AS first_name,
    trim(c.last_name)              AS last_name,
    nullif(trim(c.email), '')      AS email,
    c.phone,
    c.mobile,
    c.title,
    c.mailing_city                 AS city,
    c.mailing_state                AS state,
    c.mailing_country              AS country
FROM {{ ref "stg_salesforce__contact" }} AS c
LEFT JOIN (
    SELECT sf_account_id, min(desk_account_id) AS desk_account_id FROM written GROUP BY 1
) AS w ON w.sf_account_id = c.account_id
LEFT JOIN paired AS p ON p.sf_account_id = c.account_id
WHERE nullif(trim(c.last_name), '') IS NOT NULL
  AND c.contact_id NOT IN (SELECT source_id FROM in_desk)
  AND c.contact_id NOT IN (
      SELECT x.source_id FROM {{ ref "identity.crosswalk" }} AS x
      WHERE x.system = 'salesforce' AND x.object = 'Contact' AND x.golden_id IN (SELECT golden_id FROM zoho_half))
