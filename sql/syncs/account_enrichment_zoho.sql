-- syncs.account_enrichment_zoho: per Zoho CRM account, its open support
-- tickets and lifetime won amount (metrics.account_overview), written back
-- to Open_Tickets and Lifetime_Won by the sync account_enrichment_zoho
-- (mode update, matched by record id).
-- config: materialized=view
-- test: unique account_id
-- test: not_null account_id
-- Only accounts that are live in the CRM now (joined to its staging view).
SELECT
    o.source_id    AS account_id,
    o.open_tickets,
    o.won_amount   AS lifetime_won
FROM {{ ref "metrics.account_overview" }} AS o
JOIN {{ ref "stg_zoho_crm__accounts" }} AS a ON a.account_id = o.source_id
WHERE o.source_system = 'zoho_crm'
