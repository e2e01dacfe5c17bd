-- syncs.zoho_contacts_to_desk (sql/syncs/zoho_contacts_to_desk.sql, view)
WITH in_desk AS (
    SELECT DISTINCT x.source_id
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "IDENTITY"."CROSSWALK" AS d
        ON d.golden_id = x.golden_id AND d.system = 'zoho_desk' AND d.object = 'contacts'
    WHERE x.system = 'zoho_crm' AND x.object = 'Contacts'
),

-- The Desk account of each CRM account: the one the accounts sync wrote,
-- else the one Desk account of the same company.
written AS (
    SELECT CAST(NULL AS VARCHAR) AS zoho_account_id, CAST(NULL AS VARCHAR) AS desk_account_id
    WHERE 1 = 0
    UNION ALL
    SELECT key, max(destination_id)
    FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS"
    WHERE sync = 'zoho_accounts_to_desk' AND destination_id IS NOT NULL
    GROUP BY key
),

paired AS (
    SELECT x.source_id AS zoho_account_id, max(d.source_id) AS desk_account_id
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "IDENTITY"."CROSSWALK" AS d
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
FROM "STAGING"."STG_ZOHO_CRM__CONTACTS" AS c
LEFT JOIN written AS w ON w.zoho_account_id = c.account_id
LEFT JOIN paired AS p ON p.zoho_account_id = c.account_id
WHERE nullif(trim(c.last_name), '') IS NOT NULL
  AND c.contact_id NOT IN (SELECT source_id FROM in_desk)
