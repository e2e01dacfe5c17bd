-- staging.stg_zoho_desk__accounts (sql/staging/stg_zoho_desk__accounts.sql, view)
SELECT
    id             AS account_id,
    accountName    AS name,
    email          AS email,
    website        AS website,
    phone          AS phone,
    industry       AS industry,
    street         AS street,
    city           AS city,
    state          AS state,
    code           AS postal_code,
    country        AS country,
    TRY_CAST(TO_VARCHAR(annualrevenue) AS DOUBLE) AS annual_revenue,
    ownerId        AS owner_id,
    createdTime    AS created_at,
    modifiedTime   AS updated_at,
    _extracted_at  AS extracted_at
FROM "ZOHO_DESK"."ACCOUNTS"
WHERE _deleted_at IS NULL
  AND NOT coalesce(isDeleted, false)
  AND NOT coalesce(isTrashed, false)
