-- Zoho CRM lead versions: one row per version of a lead that extract saw
-- (zoho_crm.leads__history), valid from valid_from until valid_to (NULL
-- for the current version).
-- config: materialized=view
-- test: unique lead_id,valid_from
-- test: not_null valid_from
SELECT
    id                 AS lead_id,
    Lead_Status        AS lead_status,
    Lead_Source        AS lead_source,
    coalesce(Converted__s, false) AS is_converted,
    {{ field "Owner" "id" }}           AS owner_id,
    Created_Time       AS created_at,
    Modified_Time      AS updated_at,
    _valid_from        AS valid_from,
    _valid_to          AS valid_to
FROM {{ source "zoho_crm" "leads__history" }}
WHERE _deleted_at IS NULL
