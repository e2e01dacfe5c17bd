-- syncs.zoho_accounts_to_desk (sql/syncs/zoho_accounts_to_desk.sql, view)
WITH in_desk AS (
    SELECT DISTINCT x.source_id
    FROM "IDENTITY"."CROSSWALK" AS x
    JOIN "IDENTITY"."CROSSWALK" AS d
        ON d.golden_id = x.golden_id AND d.system = 'zoho_desk' AND d.object = 'accounts'
    WHERE x.system = 'zoho_crm' AND x.object = 'Accounts'
)

SELECT
    a.account_id          AS zoho_account_id,
    trim(a.name)          AS account_name,
    a.website,
    a.phone,
    a.industry,
    a.billing_street      AS street,
    a.billing_city        AS city,
    a.billing_state       AS state,
    a.billing_postal_code AS code,
    a.billing_country     AS country
FROM "STAGING"."STG_ZOHO_CRM__ACCOUNTS" AS a
WHERE nullif(trim(a.name), '') IS NOT NULL
  AND a.account_id NOT IN (SELECT source_id FROM in_desk)
