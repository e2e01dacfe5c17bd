-- syncs.account_enrichment_sf: per Salesforce account, figures of its
-- company (the golden company: every account of it in Salesforce, Zoho
-- CRM and Zoho Desk, and its people), written back by the sync
-- account_enrichment_sf (mode update, matched by record id):
--   open_tickets      its open support tickets (metrics.account_overview_unique)
--   lifetime_won      the amount of its won deals, each deal counted once
--                     however many CRMs hold a copy
--   last_activity_at  its last task, call, meeting, e-mail or ticket
--                     (syncs.last_activity)
--   company_id        its golden company id (identity.companies)
-- Only accounts that are live in the CRM now (joined to its staging view).
-- Filter (which accounts take part): add a WHERE, e.g. on a.owner_id or
-- a.account_type.
-- config: materialized=view
-- test: unique account_id
-- test: not_null account_id
SELECT
    a.account_id,
    coalesce(m.open_tickets, 0)  AS open_tickets,
    coalesce(m.won_amount, 0)    AS lifetime_won,
    l.last_activity_at,
    x.golden_id                  AS company_id
FROM {{ ref "stg_salesforce__account" }} AS a
LEFT JOIN {{ ref "identity.crosswalk" }} AS x
    ON x.system = 'salesforce' AND x.object = 'Account' AND x.source_id = a.account_id
LEFT JOIN {{ ref "metrics.account_overview_unique" }} AS m ON m.company_id = x.golden_id
LEFT JOIN {{ ref "syncs.last_activity" }} AS l ON l.entity = 'company' AND l.golden_id = x.golden_id
