-- identity.decisions: the match / no-match decisions people made about
-- pairs of records (`revops identity decide ID1 ID2 match|no-match`), kept
-- in _revops.identity_decisions and honoured by every build: a match links
-- the two records, a no_match keeps the matcher from linking them directly
-- (and the pair leaves identity.review). When a pair was decided more than
-- once, the latest decision counts (a `clear` withdraws it). Empty until
-- the first decision.
-- Grain: one row per (entity, record_id_l, record_id_r), record_id_l < record_id_r.
-- config: materialized=table
-- test: unique entity,record_id_l,record_id_r
-- test: not_null record_id_l
-- test: not_null record_id_r
-- test: accepted_values entity: person,company
-- test: accepted_values decision: match,no_match
WITH decided AS (
    SELECT
        {{ cast "NULL" "varchar" }} AS entity,
        {{ cast "NULL" "varchar" }} AS record_id_l,
        {{ cast "NULL" "varchar" }} AS record_id_r,
        {{ cast "NULL" "varchar" }} AS decision,
        {{ cast "NULL" "timestamp" }} AS decided_at,
        {{ cast "NULL" "varchar" }} AS decided_by,
        {{ cast "NULL" "varchar" }} AS note,
        {{ cast "NULL" "bigint" }}  AS seq
    WHERE 1 = 0
{{- if source_exists "identity" "state_decisions" }}

    UNION ALL
    SELECT entity, record_id_l, record_id_r, decision, decided_at, decided_by, note, seq
    FROM {{ source "identity" "state_decisions" }}
{{- end }}
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
