-- syncs.sf_accounts_to_desk: the Salesforce accounts Zoho Desk lacks, for
-- the sync sf_accounts_to_desk (template "Desk with Salesforce"). The sync
-- stamps each Desk account it writes with the CRM id (cf_salesforce_id) and
-- matches by that stamp, else by the account name (trimmed, any case and
-- spacing): a company Desk holds already is updated, never added twice.
--   - Left out: accounts whose company already has a Desk account
--     (identity.crosswalk; the accounts this sync wrote are paired there
--     from the next build on): from then on the link desk_sf_accounts
--     keeps their fields equal, both ways or one way, and the sync writes
--     them no more (so the two never write one field against each other).
--   - When Zoho CRM feeds the same Desk too (the sync zoho_accounts_to_desk
--     is configured, as in the sandbox), the companies that half sends
--     now are left out (identity says who is who), so one company never
--     becomes two Desk accounts under two spellings. With Salesforce alone,
--     nothing is left out.
--   - Desk needs accountName: accounts without a name are left out.
-- Filter (which accounts take part): add a WHERE, e.g. by type
-- (a.account_type NOT IN ('Competitor', 'Vendor')) or owner
-- (a.owner_name = 'Ann Lee').
-- config: materialized=view
-- test: unique sf_account_id
-- test: not_null sf_account_id
WITH zoho_half AS (
    -- When Zoho CRM feeds this Desk too: the golden ids its sync sends now.
    SELECT {{ cast "NULL" "varchar" }} AS golden_id
    WHERE 1 = 0
{{- if source_exists "zoho_crm" "accounts" }}
    UNION ALL
    SELECT DISTINCT x.golden_id
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "syncs.zoho_accounts_to_desk" }} AS z ON z.zoho_account_id = x.source_id
    WHERE x.system = 'zoho_crm' AND x.object = 'Accounts'
      AND EXISTS (SELECT 1 FROM {{ ref "seeds.identity_syncs" }} AS s WHERE s.sync = 'zoho_accounts_to_desk')
{{- end }}
),

in_desk AS (
    SELECT DISTINCT x.source_id
    FROM {{ ref "identity.crosswalk" }} AS x
    JOIN {{ ref "identity.crosswalk" }} AS d
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
FROM {{ ref "stg_salesforce__account" }} AS a
WHERE nullif(trim(a.name), '') IS NOT NULL
  AND a.account_id NOT IN (SELECT source_id FROM in_desk)
  AND a.account_id NOT IN (
      SELECT x.source_id FROM {{ ref "identity.crosswalk" }} AS x
      WHERE x.system = 'salesforce' AND x.object = 'Account' AND x.golden_id IN (SELECT golden_id FROM zoho_half))
