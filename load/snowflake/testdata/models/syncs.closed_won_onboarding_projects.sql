-- syncs.closed_won_onboarding_projects (sql/syncs/closed_won_onboarding_projects.sql, view)
WITH won AS (
    SELECT d.source_id AS opportunity_id, d.name, d.account_source_id, d.amount, d.close_date, d.deal_type
    FROM "CORE"."DEALS" AS d
    WHERE d.source_system = 'salesforce'
      AND d.is_won
)

SELECT
    w.opportunity_id,
    left('Onboarding: ' || trim(coalesce(nullif(trim(a.name), ''), w.name, 'Customer')), 100 - length(w.opportunity_id) - 3)
        || ' (' || w.opportunity_id || ')' AS project_name,
    'Salesforce opportunity ' || coalesce(w.name, w.opportunity_id) || ' won'
        || coalesce(' on ' || CAST(w.close_date AS VARCHAR), '')
        || coalesce(' for ' || CAST(w.amount AS VARCHAR), '') AS description,
    w.close_date AS start_date,
    -- One template for every deal; per deal, e.g.:
    -- CASE WHEN w.amount >= 100000 THEN 'Enterprise Onboarding' ELSE 'Customer Onboarding' END
    'Customer Onboarding' AS template
FROM won AS w
LEFT JOIN "STAGING"."STG_SALESFORCE__ACCOUNT" AS a ON a.account_id = w.account_source_id
