-- The clusters of identity.person_clusters and company_clusters settled:
-- the two records of every linked pair share a cluster (the label
-- propagation found every connected component in its rounds; a component
-- whose links are too long for them would show here).
-- Failing rows: the linked pairs split between two clusters.
WITH split AS (
    SELECT 'person' AS entity, k.record_id_l, k.record_id_r, a.cluster_id AS cluster_l, b.cluster_id AS cluster_r
    FROM {{ ref "identity.person_links" }} AS k
    JOIN {{ ref "identity.person_clusters" }} AS a ON a.record_id = k.record_id_l
    JOIN {{ ref "identity.person_clusters" }} AS b ON b.record_id = k.record_id_r
    WHERE k.linked
    UNION ALL
    SELECT 'company', k.record_id_l, k.record_id_r, a.cluster_id, b.cluster_id
    FROM {{ ref "identity.company_links" }} AS k
    JOIN {{ ref "identity.company_clusters" }} AS a ON a.record_id = k.record_id_l
    JOIN {{ ref "identity.company_clusters" }} AS b ON b.record_id = k.record_id_r
    WHERE k.linked
)

SELECT * FROM split WHERE cluster_l <> cluster_r
