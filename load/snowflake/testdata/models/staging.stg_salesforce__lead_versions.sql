-- staging.stg_salesforce__lead_versions (sql/staging/stg_salesforce__lead_versions.sql, view)
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
FROM "SALESFORCE"."LEAD__HISTORY"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
