-- syncs.sf_accounts_to_desk (sql/syncs/sf_accounts_to_desk.sql, view)
WITH zoho_half AS (
    -- When Zoho CRM feeds this Desk too: the golden ids its sync sends now.
    SELECT CAST(NULL AS VARCHAR) AS golden_id
    WHERE 1 = 0
    UNION ALL
    SELECT DISTINCT x.golden_id
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "SYNCS"."ZOHO_ACCOUNTS_TO_DESK" AS z ON z.zoho_account_id = x.source_id
    WHERE x.system = 'zoho_crm' AND x.object = 'Accounts'
      AND EXISTS (SELECT 1 FROM "SEEDS"."IDENTITY_SYNCS" AS s WHERE s.sync = 'zoho_accounts_to_desk')
),

in_desk AS (
    SELECT DISTINCT x.source_id
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "IDENTITY"."CROSSWALK" AS d
        ON d.golden_id = x.golden_id AND d.system = 'zoho_desk' AND d.object = 'accounts'
    WHERE x.system = 'salesforce' AND x.object = 'Account'
)

SELECT
    a.account_id          AS sf_account_id,
    trim(a.name)          AS account_name,
    a.website,
    a.phone,
    a.industry,
    a.billing_street      AS street,
    a.billing_city        AS city,
    a.billing_state       AS state,
    a.billing_postal_code AS code,
    a.billing_country     AS country
FROM "STAGING"."STG_SALESFORCE__ACCOUNT" AS a
WHERE nullif(trim(a.name), '') IS NOT NULL
  AND a.account_id NOT IN (SELECT source_id FROM in_desk)
  AND a.account_id NOT IN (
      SELECT x.source_id FROM "IDENTITY"."CROSSWALK" AS x
      WHERE x.system = 'salesforce' AND x.object = 'Account' AND x.golden_id IN (SELECT golden_id FROM zoho_half))
