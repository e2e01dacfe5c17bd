-- Zoho CRM deal versions: one row per version of a deal that extract saw
-- (zoho_crm.deals__history), valid from valid_from until valid_to (NULL
-- for the current version). updated_at is the version's Modified_Time:
-- when its stage changed, if it did.
-- config: materialized=view
-- test: unique deal_id,valid_from
-- test: not_null valid_from
SELECT
    id                 AS deal_id,
    Stage              AS stage,
    Amount             AS amount,
    Closing_Date       AS close_date,
    Probability        AS probability,
    {{ field "Owner" "id" }}           AS owner_id,
    Created_Time       AS created_at,
    Modified_Time      AS updated_at,
    _valid_from        AS valid_from,
    _valid_to          AS valid_to
FROM {{ source "zoho_crm" "deals__history" }}
WHERE _deleted_at IS NULL
