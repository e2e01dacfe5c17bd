-- identity.golden_ids (sql/identity/golden_ids.sql, view)
WITH state AS (
    SELECT 'person' AS entity, s.* FROM "IDENTITY"."PERSON_ID_STATE" AS s
    UNION ALL
    SELECT 'company' AS entity, s.* FROM "IDENTITY"."COMPANY_ID_STATE" AS s
)

SELECT
    golden_id,
    entity,
    id_status AS status,
    CASE WHEN id_status = 'merged' THEN merged_into ELSE golden_id END AS resolves_to,
    merged_into,
    minted_at,
    merged_at,
    retired_at,
    anchor_record_id,
    sum(CASE WHEN is_present THEN 1 ELSE 0 END) AS records
FROM state
GROUP BY golden_id, entity, id_status, merged_into, minted_at, merged_at, retired_at, anchor_record_id
