-- identity.decisions (sql/identity/decisions.sql)
WITH decided AS (
    SELECT
        CAST(NULL AS STRING) AS entity,
        CAST(NULL AS STRING) AS record_id_l,
        CAST(NULL AS STRING) AS record_id_r,
        CAST(NULL AS STRING) AS decision,
        CAST(NULL AS TIMESTAMP) AS decided_at,
        CAST(NULL AS STRING) AS decided_by,
        CAST(NULL AS STRING) AS note,
        CAST(NULL AS INT64)  AS seq
    WHERE 1 = 0

    UNION ALL
    SELECT entity, record_id_l, record_id_r, decision, decided_at, decided_by, note, seq
    FROM `identity`.`state_decisions`
),

ranked AS (
    SELECT
        d.*,
        row_number() OVER (
            PARTITION BY entity, record_id_l, record_id_r
            ORDER BY decided_at DESC, seq DESC
        ) AS rn
    FROM decided AS d
)

SELECT entity, record_id_l, record_id_r, decision, decided_at, decided_by, note
FROM ranked
WHERE rn = 1 AND decision IN ('match', 'no_match')
