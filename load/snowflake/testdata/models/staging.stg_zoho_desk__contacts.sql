-- staging.stg_zoho_desk__contacts (sql/staging/stg_zoho_desk__contacts.sql, view)
SELECT
    id             AS contact_id,
    accountId      AS account_id,
    firstName      AS first_name,
    lastName       AS last_name,
    email          AS email,
    secondaryEmail AS secondary_email,
    phone          AS phone,
    mobile         AS mobile,
    title          AS title,
    type           AS contact_type,
    city           AS city,
    state          AS state,
    country        AS country,
    ownerId        AS owner_id,
    coalesce(isSpam, false) AS is_spam,
    createdTime    AS created_at,
    modifiedTime   AS updated_at,
    _extracted_at  AS extracted_at
FROM "ZOHO_DESK"."CONTACTS"
WHERE _deleted_at IS NULL
