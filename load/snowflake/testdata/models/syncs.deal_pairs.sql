-- syncs.deal_pairs (sql/syncs/deal_pairs.sql, table)
WITH deals AS (
    SELECT source_system, source_id, unique_deal_id
    FROM "IDENTITY"."DEAL_CROSSWALK"
),

kept AS (
    SELECT CAST(NULL AS VARCHAR) AS zoho_id, CAST(NULL AS VARCHAR) AS sf_id
    WHERE 1 = 0

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
            FROM "_REVOPS"."LINK_VALUES"
            WHERE link = 'zoho_sf_deals'
        ) AS v
        JOIN deals AS z ON z.source_system = 'zoho_crm' AND z.source_id = v.zoho_id
        JOIN deals AS s ON s.source_system = 'salesforce' AND s.source_id = v.sf_id
    ) AS live
    WHERE zoho_pairs = 1 AND sf_pairs = 1
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
