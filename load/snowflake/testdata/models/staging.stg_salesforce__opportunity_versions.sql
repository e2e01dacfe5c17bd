-- staging.stg_salesforce__opportunity_versions (sql/staging/stg_salesforce__opportunity_versions.sql, view)
SELECT
    Id                AS opportunity_id,
    StageName         AS stage_name,
    Amount            AS amount,
    CloseDate         AS close_date,
    Probability       AS probability,
    OwnerId           AS owner_id,
    CreatedDate       AS created_at,
    LastModifiedDate  AS updated_at,
    _valid_from       AS valid_from,
    _valid_to         AS valid_to
FROM "SALESFORCE"."OPPORTUNITY__HISTORY"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
