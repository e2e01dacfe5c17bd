-- syncs.zoho_accounts_to_desk: the Zoho CRM accounts Zoho Desk lacks, for
-- the sync zoho_accounts_to_desk (template "Desk with Zoho CRM"). The sync
-- stamps each Desk account it writes with the CRM id (cf_zoho_crm_id) and
-- matches by that stamp, else by the account name (trimmed, any case and
-- spacing): a company Desk holds already is updated, never added twice.
--   - Left out: accounts whose company already has a Desk account
--     (identity.crosswalk; the accounts this sync wrote are paired there
--     from the next build on): from then on the link desk_zoho_accounts
--     keeps their fields equal, both ways or one way, and the sync writes
--     them no more (so the two never write one field against each other).
--   - Desk needs accountName: accounts without a name are left out.
-- Filter (which accounts take part): add a WHERE, e.g. by type
-- (a.account_type NOT IN ('Competitor', 'Vendor')) or owner
-- (a.owner_name = 'Ann Lee').
-- config: materialized=view
-- test: unique zoho_account_id
-- test: not_null zoho_account_id
WITH in_desk AS (
    SELECT DISTINCT x.source_id
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "identity.crosswalk" }} AS d
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
FROM {{ ref "stg_zoho_crm__accounts" }} AS a
WHERE nullif(trim(a.name), '') IS NOT NULL
  AND a.account_id NOT IN (SELECT source_id FROM in_desk)
