-- The golden id state holds together: every record has one golden id, the
-- records of one cluster of this build share one golden id and no other
-- cluster has it, and every merged id resolves to an id that is not merged
-- itself (lookups by an old id land on a live or retired golden record).
-- Failing rows: the record or id at fault and what is wrong.
WITH state AS (
    SELECT 'person' AS entity, golden_id, record_id, is_present, id_status, merged_into
    FROM {{ ref "identity.person_id_state" }}
    UNION ALL
    SELECT 'company', golden_id, record_id, is_present, id_status, merged_into
    FROM {{ ref "identity.company_id_state" }}
),

clusters AS (
    SELECT 'person' AS entity, record_id, cluster_id FROM {{ ref "identity.person_clusters" }}
    UNION ALL
    SELECT 'company', record_id, cluster_id FROM {{ ref "identity.company_clusters" }}
)

SELECT entity, record_id AS what, 'the record has several golden ids' AS problem
FROM state
WHERE record_id IS NOT NULL
GROUP BY entity, record_id
HAVING count(DISTINCT golden_id) > 1

UNION ALL
SELECT s.entity, c.cluster_id, 'the cluster has several golden ids'
FROM state AS s
JOIN clusters AS c ON c.entity = s.entity AND c.record_id = s.record_id
WHERE s.is_present
GROUP BY s.entity, c.cluster_id
HAVING count(DISTINCT s.golden_id) > 1

UNION ALL
SELECT s.entity, s.golden_id, 'the golden id is held by several clusters'
FROM state AS s
JOIN clusters AS c ON c.entity = s.entity AND c.record_id = s.record_id
WHERE s.is_present
GROUP BY s.entity, s.golden_id
HAVING count(DISTINCT c.cluster_id) > 1

UNION ALL
SELECT m.entity, m.golden_id, 'the merged id resolves to no live or retired id'
FROM state AS m
LEFT JOIN state AS t ON t.entity = m.entity AND t.golden_id = m.merged_into
WHERE m.id_status = 'merged'
  AND (t.golden_id IS NULL OR t.id_status = 'merged')
GROUP BY m.entity, m.golden_id
