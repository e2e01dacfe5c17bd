-- identity.crosswalk (sql/identity/crosswalk.sql, table)
WITH members AS (
    SELECT 'person' AS entity, golden_id, record_id, first_seen_at, assigned_at, previous_golden_id
    FROM "IDENTITY"."PERSON_ID_STATE"
    WHERE is_present
    UNION ALL
    SELECT 'company', golden_id, record_id, first_seen_at, assigned_at, previous_golden_id
    FROM "IDENTITY"."COMPANY_ID_STATE"
    WHERE is_present
),

inputs AS (
    SELECT record_id, source, object, source_id FROM "IDENTITY"."PERSON_INPUT"
    UNION ALL
    SELECT record_id, source, object, source_id FROM "IDENTITY"."COMPANY_INPUT"
),

-- Every link that can explain a record's membership.
links AS (
    SELECT record_id_l, record_id_r, rule, match_probability AS score
    FROM "IDENTITY"."PERSON_LINKS"
    WHERE linked
    UNION ALL
    SELECT record_id_l, record_id_r, rule, match_probability
    FROM "IDENTITY"."COMPANY_LINKS"
    WHERE linked
    UNION ALL
    SELECT record_id_l, record_id_r, 'certain:' || rule, 1.0
    FROM "IDENTITY"."PERSON_CERTAIN_LINKS"
    UNION ALL
    SELECT record_id_l, record_id_r, 'certain:' || rule, 1.0
    FROM "IDENTITY"."COMPANY_CERTAIN_LINKS"
    UNION ALL
    SELECT record_id_l, record_id_r, 'decision', 1.0
    FROM "IDENTITY"."DECISIONS"
    WHERE decision = 'match'
),

ends AS (
    SELECT record_id_l AS record_id, record_id_r AS other, rule, score FROM links
    UNION ALL
    SELECT record_id_r, record_id_l, rule, score FROM links
),

best AS (
    SELECT record_id, other, rule, score
    FROM (
        SELECT
            e.*,
            row_number() OVER (
                PARTITION BY e.record_id
                ORDER BY
                    CASE
                        WHEN e.rule LIKE 'certain:%' THEN 1
                        WHEN e.rule = 'decision' THEN 2
                        WHEN e.rule LIKE 'deterministic%' THEN 3
                        ELSE 4
                    END,
                    e.score DESC NULLS LAST,
                    e.other
            ) AS rn
        FROM ends AS e
        JOIN members AS a ON a.record_id = e.record_id
        JOIN members AS b ON b.record_id = e.other AND b.golden_id = a.golden_id
    ) AS ranked
    WHERE rn = 1
)

SELECT
    i.source AS system,
    i.object,
    i.source_id,
    m.record_id,
    m.entity,
    m.golden_id,
    coalesce(b.rule, 'singleton') AS rule,
    CAST(b.score AS DOUBLE) AS score,
    b.other AS linked_to,
    m.first_seen_at,
    m.assigned_at,
    m.previous_golden_id
FROM members AS m
JOIN inputs AS i ON i.record_id = m.record_id
LEFT JOIN best AS b ON b.record_id = m.record_id
