-- identity.decisions (sql/identity/decisions.sql, table)
WITH decided AS (
    SELECT
        CAST(NULL AS VARCHAR) AS entity,
        CAST(NULL AS VARCHAR) AS record_id_l,
        CAST(NULL AS VARCHAR) AS record_id_r,
        CAST(NULL AS VARCHAR) AS decision,
        CAST(NULL AS TIMESTAMP_TZ) AS decided_at,
        CAST(NULL AS VARCHAR) AS decided_by,
        CAST(NULL AS VARCHAR) AS note,
        CAST(NULL AS NUMBER(38,0))  AS seq
    WHERE 1 = 0

    UNION ALL
    SELECT entity, record_id_l, record_id_r, decision, decided_at, decided_by, note, seq
    FROM "IDENTITY"."STATE_DECISIONS"
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
