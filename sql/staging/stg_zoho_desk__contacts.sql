-- Zoho Desk contacts: one row per live Desk contact (deleted rows filtered).
-- config: materialized=view
-- test: unique contact_id
-- test: not_null contact_id
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
FROM {{ source "zoho_desk" "contacts" }}
WHERE _deleted_at IS NULL
