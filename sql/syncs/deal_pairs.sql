-- syncs.deal_pairs: which Zoho CRM deal and Salesforce opportunity the
-- two-way link zoho_sf_deals keeps equal, in identity.crosswalk's shape
-- (system, object, source_id, golden_id: one deal of each CRM per
-- golden_id), read by the link through `pair: {by: crosswalk, crosswalk:
-- syncs.deal_pairs}`.
--   - A pair the link has compared before stays paired (its agreed
--     values in _revops.link_values), so edits of name, amount and close
--     date on both sides never break it.
--   - Other deals pair as identity.deal_crosswalk groups them (a copy
--     revops made, the same name, amount and close date, the same company
--     and name, ...), when the group holds exactly one live deal of each
--     CRM and neither is in a kept pair.
-- Renaming the link? Rename it below too.
-- config: materialized=table
-- test: unique system,source_id
-- test: not_null golden_id
WITH deals AS (
    SELECT source_system, source_id, unique_deal_id
    FROM {{ ref "identity.deal_crosswalk" }}
),

kept AS (
    SELECT {{ cast "NULL" "varchar" }} AS zoho_id, {{ cast "NULL" "varchar" }} AS sf_id
    WHERE 1 = 0
{{- if source_exists "_revops" "link_values" }}

    UNION ALL
    SELECT zoho_id, sf_id
    FROM (
        SELECT
            v.zoho_id,
            v.sf_id,
            count(*) OVER (PARTITION BY v.zoho_id) AS zoho_pairs,
            count(*) OVER (PARTITION BY v.sf_id) AS sf_pairs
        FROM (
            SELECT DISTINCT left_id AS zoho_id, right_id AS sf_id
            FROM {{ source "_revops" "link_values" }}
            WHERE link = 'zoho_sf_deals'
        ) AS v
        JOIN deals AS z ON z.source_system = 'zoho_crm' AND z.source_id = v.zoho_id
        JOIN deals AS s ON s.source_system = 'salesforce' AND s.source_id = v.sf_id
    ) AS live
    WHERE zoho_pairs = 1 AND sf_pairs = 1
{{- end }}
),

grouped AS (
    SELECT
        unique_deal_id,
        max(CASE WHEN source_system = 'zoho_crm' THEN source_id END) AS zoho_id,
        max(CASE WHEN source_system = 'salesforce' THEN source_id END) AS sf_id
    FROM deals
    GROUP BY unique_deal_id
    HAVING count(CASE WHEN source_system = 'zoho_crm' THEN 1 END) = 1
       AND count(CASE WHEN source_system = 'salesforce' THEN 1 END) = 1
),

pairs AS (
    SELECT zoho_id, sf_id FROM kept
    UNION ALL
    SELECT g.zoho_id, g.sf_id
    FROM grouped AS g
    WHERE g.zoho_id NOT IN (SELECT zoho_id FROM kept)
      AND g.sf_id NOT IN (SELECT sf_id FROM kept)
)

SELECT 'zoho_crm' AS system, 'Deals' AS object, zoho_id AS source_id, 'deal:' || zoho_id AS golden_id
FROM pairs
UNION ALL
SELECT 'salesforce', 'Opportunity', sf_id, 'deal:' || zoho_id
FROM pairs
