-- syncs.account_enrichment_zoho (sql/syncs/account_enrichment_zoho.sql, view)
SELECT
    a.account_id,
    coalesce(m.open_tickets, 0)  AS open_tickets,
    coalesce(m.won_amount, 0)    AS lifetime_won,
    l.last_activity_at,
    x.golden_id                  AS company_id
FROM "STAGING"."STG_ZOHO_CRM__ACCOUNTS" AS a
LEFT JOIN "IDENTITY"."CROSSWALK" AS x
    ON x.system = 'zoho_crm' AND x.object = 'Accounts' AND x.source_id = a.account_id
LEFT JOIN "METRICS"."ACCOUNT_OVERVIEW_UNIQUE" AS m ON m.company_id = x.golden_id
LEFT JOIN "SYNCS"."LAST_ACTIVITY" AS l ON l.entity = 'company' AND l.golden_id = x.golden_id
