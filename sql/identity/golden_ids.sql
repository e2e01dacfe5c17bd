-- identity.golden_ids: every golden id ever minted, for persons and
-- companies, and where a lookup by it lands today. An id merged into
-- another (two golden records found to be one) resolves to the id that
-- survived: look old ids up here, e.g.
--   SELECT resolves_to FROM identity.golden_ids WHERE golden_id = 'P-...'
--   status       active (in use) | merged (resolves_to the survivor) |
--                retired (no record of it is left in the CRMs; it comes
--                back if they do)
--   records      records holding it now (present in the CRMs)
-- Grain: one row per golden id.
-- config: materialized=view
-- test: unique golden_id
-- test: not_null resolves_to
-- test: accepted_values status: active,merged,retired
WITH state AS (
    SELECT 'person' AS entity, s.* FROM {{ ref "identity.person_id_state" }} AS s
    UNION ALL
    SELECT 'company' AS entity, s.* FROM {{ ref "identity.company_id_state" }} AS s
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
