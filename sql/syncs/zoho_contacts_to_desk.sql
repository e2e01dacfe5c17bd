-- syncs.zoho_contacts_to_desk: the Zoho CRM contacts Zoho Desk lacks, for
-- the sync zoho_contacts_to_desk (template "Desk with Zoho CRM"). The sync
-- stamps each Desk contact it writes with the CRM id (cf_zoho_crm_id) and
-- matches by that stamp, else by e-mail (trimmed, any case), else by first
-- and last name within the same Desk account: a person Desk holds already
-- is updated, never added twice. A contact without e-mail is matched the
-- same way, never created blind (the stamp finds it again after a lost
-- answer).
--   - Left out: contacts whose person already has a Desk contact
--     (identity.crosswalk; the contacts this sync wrote are paired there
--     from the next build on): from then on the link desk_zoho_contacts
--     keeps their fields equal, and the sync writes them no more.
--   - desk_account_id: the Desk account of the contact's CRM account, the
--     one the sync zoho_accounts_to_desk wrote (read when the sync runs:
--     the accounts sync runs first) or the one identity pairs with it;
--     empty when there is none (the contact goes to Desk without one).
--   - Desk needs lastName: contacts without one are left out.
-- Filter (which contacts take part): add a WHERE, e.g. NOT
-- c.email_opt_out, c.lead_source = 'Web Download' or c.owner_name.
-- config: materialized=view
-- test: unique zoho_contact_id
-- test: not_null zoho_contact_id
WITH in_desk AS (
    SELECT DISTINCT x.source_id
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "identity.crosswalk" }} AS d
        ON d.golden_id = x.golden_id AND d.system = 'zoho_desk' AND d.object = 'contacts'
    WHERE x.system = 'zoho_crm' AND x.object = 'Contacts'
),

-- The Desk account of each CRM account: the one the accounts sync wrote,
-- else the one Desk account of the same company.
written AS (
    SELECT {{ cast "NULL" "varchar" }} AS zoho_account_id, {{ cast "NULL" "varchar" }} AS desk_account_id
    WHERE 1 = 0
{{- if source_exists "identity" "state_sync_snapshots" }}
    UNION ALL
    SELECT key, max(destination_id)
    FROM {{ source "identity" "state_sync_snapshots" }}
    WHERE sync = 'zoho_accounts_to_desk' AND destination_id IS NOT NULL
    GROUP BY key
{{- end }}
),

paired AS (
    SELECT x.source_id AS zoho_account_id, max(d.source_id) AS desk_account_id
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "identity.crosswalk" }} AS d
        ON d.golden_id = x.golden_id AND d.system = 'zoho_desk' AND d.object = 'accounts'
    WHERE x.system = 'zoho_crm' AND x.object = 'Accounts'
    GROUP BY x.source_id
    HAVING count(DISTINCT d.source_id) = 1
)

SELECT
    c.contact_id                   AS zoho_contact_id,
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
FROM {{ ref "stg_zoho_crm__contacts" }} AS c
LEFT JOIN written AS w ON w.zoho_account_id = c.account_id
LEFT JOIN paired AS p ON p.zoho_account_id = c.account_id
WHERE nullif(trim(c.last_name), '') IS NOT NULL
  AND c.contact_id NOT IN (SELECT source_id FROM in_desk)
