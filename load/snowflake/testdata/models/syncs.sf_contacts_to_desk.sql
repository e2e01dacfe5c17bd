-- syncs.sf_contacts_to_desk (sql/syncs/sf_contacts_to_desk.sql, view)
WITH zoho_half AS (
    -- When Zoho CRM feeds this Desk too: the golden ids its sync sends now.
    SELECT CAST(NULL AS VARCHAR) AS golden_id
    WHERE 1 = 0
    UNION ALL
    SELECT DISTINCT x.golden_id
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "SYNCS"."ZOHO_CONTACTS_TO_DESK" AS z ON z.zoho_contact_id = x.source_id
    WHERE x.system = 'zoho_crm' AND x.object = 'Contacts'
      AND EXISTS (SELECT 1 FROM "SEEDS"."IDENTITY_SYNCS" AS s WHERE s.sync = 'zoho_contacts_to_desk')
),

in_desk AS (
    SELECT DISTINCT x.source_id
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "IDENTITY"."CROSSWALK" AS d
        ON d.golden_id = x.golden_id AND d.system = 'zoho_desk' AND d.object = 'contacts'
    WHERE x.system = 'salesforce' AND x.object = 'Contact'
),

-- The Desk account of each CRM account: the one the accounts sync wrote,
-- else the one Desk account of the same company.
written AS (
    SELECT CAST(NULL AS VARCHAR) AS sf_account_id, CAST(NULL AS VARCHAR) AS desk_account_id
    WHERE 1 = 0
    UNION ALL
    SELECT key, max(destination_id)
    FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS"
    WHERE sync = 'sf_accounts_to_desk' AND destination_id IS NOT NULL
    GROUP BY key
    UNION ALL
    -- the company's account the Zoho CRM half wrote (feeding one Desk)
    SELECT x.source_id, max(s.destination_id)
    FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS" AS s
    JOIN "IDENTITY"."CROSSWALK" AS z
        ON z.system = 'zoho_crm' AND z.object = 'Accounts' AND z.source_id = s.key
    JOIN "IDENTITY"."CROSSWALK" AS x
        ON x.golden_id = z.golden_id AND x.system = 'salesforce' AND x.object = 'Account'
    WHERE s.sync = 'zoho_accounts_to_desk' AND s.destination_id IS NOT NULL
    GROUP BY x.source_id
    HAVING count(DISTINCT s.destination_id) = 1
),

paired AS (
    SELECT x.source_id AS sf_account_id, max(d.source_id) AS desk_account_id
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "IDENTITY"."CROSSWALK" AS d
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
FROM "STAGING"."STG_SALESFORCE__CONTACT" AS c
LEFT JOIN (
    SELECT sf_account_id, min(desk_account_id) AS desk_account_id FROM written GROUP BY 1
) AS w ON w.sf_account_id = c.account_id
LEFT JOIN paired AS p ON p.sf_account_id = c.account_id
WHERE nullif(trim(c.last_name), '') IS NOT NULL
  AND c.contact_id NOT IN (SELECT source_id FROM in_desk)
  AND c.contact_id NOT IN (
      SELECT x.source_id FROM "IDENTITY"."CROSSWALK" AS x
      WHERE x.system = 'salesforce' AND x.object = 'Contact' AND x.golden_id IN (SELECT golden_id FROM zoho_half))
