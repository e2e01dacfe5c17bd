-- Salesforce lead versions: one row per version of a Lead that extract saw
-- (salesforce.lead__history), valid from valid_from until valid_to (NULL
-- for the current version). Versions marked deleted are filtered.
-- config: materialized=view
-- test: unique lead_id,valid_from
-- test: not_null valid_from
SELECT
    Id                AS lead_id,
    Status            AS status,
    LeadSource        AS lead_source,
    coalesce(IsConverted, false) AS is_converted,
    OwnerId           AS owner_id,
    CreatedDate       AS created_at,
    LastModifiedDate  AS updated_at,
    _valid_from       AS valid_from,
    _valid_to         AS valid_to
FROM {{ source "salesforce" "lead__history" }}
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
