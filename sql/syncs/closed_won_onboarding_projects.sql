-- syncs.closed_won_onboarding_projects: one Zoho Projects onboarding
-- project per Salesforce opportunity won (Closed Won), for the sync
-- closed_won_onboarding_projects (Closed Won → Zoho Books + Zoho
-- Projects).
--   - Key: the opportunity id. The sync keeps each opportunity's project
--     id (_revops.sync_snapshots), so an opportunity gets one project,
--     ever: a deal reopened and won again keeps its project (a changed
--     name or start date updates it), and the sync
--     onboarding_project_ids_to_sf writes the id back on the opportunity.
--   - name: "Onboarding: <account> (<opportunity id>)", at most 100
--     characters; the id makes it unique, which the sync matches on (a
--     create whose answer was lost is found again by its name).
--   - template: the name of a template project of the portal the project
--     is made from, read on create only (default "Customer Onboarding";
--     pick one per deal in the CASE below, e.g. by type or amount). A
--     name the portal lacks fails the row (TEMPLATE_NOT_FOUND, naming it).
--   - start_date: the close date.
-- Filter (which opportunities take part): edit the WHERE of `won`, e.g.
-- by amount (d.amount), type (d.deal_type) or close date.
-- config: materialized=view
-- test: unique opportunity_id
-- test: not_null project_name
-- test: not_null template
WITH won AS (
    SELECT d.source_id AS opportunity_id, d.name, d.account_source_id, d.amount, d.close_date, d.deal_type
    FROM {{ ref "core.deals" }} AS d
    WHERE d.source_system = 'salesforce'
      AND d.is_won
)

SELECT
    w.opportunity_id,
    left('Onboarding: ' || trim(coalesce(nullif(trim(a.name), ''), w.name, 'Customer')), 100 - length(w.opportunity_id) - 3)
        || ' (' || w.opportunity_id || ')' AS project_name,
    'Salesforce opportunity ' || coalesce(w.name, w.opportunity_id) || ' won'
        || coalesce(' on ' || {{ cast "w.close_date" "varchar" }}, '')
        || coalesce(' for ' || {{ cast "w.amount" "varchar" }}, '') AS description,
    w.close_date AS start_date,
    -- One template for every deal; per deal, e.g.:
    -- CASE WHEN w.amount >= 100000 THEN 'Enterprise Onboarding' ELSE 'Customer Onboarding' END
    'Customer Onboarding' AS template
FROM won AS w
LEFT JOIN {{ ref "stg_salesforce__account" }} AS a ON a.account_id = w.account_source_id
