-- syncs.account_enrichment_zoho (sql/syncs/account_enrichment_zoho.sql, view)
SELECT
    a.account_id,
    coalesce(m.open_tickets, 0)  AS open_tickets,
    coalesce(m.won_amount, 0)    AS lifetime_won,
    l.last_activity_at,
    x.golden_id                  AS company_id
FROM "staging"."stg_zoho_crm__accounts" AS a
LEFT JOIN "identity"."crosswalk" AS x
    ON x.system = 'zoho_crm' AND x.object = 'Accounts' AND x.source_id = a.account_id
LEFT JOIN "metrics"."account_overview_unique" AS m ON m.company_id = x.golden_id
LEFT JOIN "syncs"."last_activity" AS l ON l.entity = 'company' AND l.golden_id = x.golden_id
