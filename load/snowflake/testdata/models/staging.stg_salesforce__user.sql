-- staging.stg_salesforce__user (sql/staging/stg_salesforce__user.sql, view)
SELECT
    Id                AS user_id,
    Name              AS full_name,
    FirstName         AS first_name,
    LastName          AS last_name,
    Username          AS username,
    Email             AS email,
    Title             AS title,
    Department        AS department,
    Phone             AS phone,
    coalesce(IsActive, false) AS is_active,
    CreatedDate       AS created_at,
    LastModifiedDate  AS updated_at,
    _extracted_at     AS extracted_at
FROM "SALESFORCE"."USER"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
