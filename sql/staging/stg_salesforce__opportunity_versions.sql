-- Salesforce opportunity versions: one row per version of an Opportunity
-- that extract saw (salesforce.opportunity__history), valid from
-- valid_from until valid_to (NULL for the current version). updated_at is
-- the version's LastModifiedDate: when its stage changed, if it did.
-- config: materialized=view
-- test: unique opportunity_id,valid_from
-- test: not_null valid_from
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
FROM {{ source "salesforce" "opportunity__history" }}
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
