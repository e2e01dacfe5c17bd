-- staging.stg_zoho_crm__deals_versions (sql/staging/stg_zoho_crm__deals_versions.sql, view)
SELECT
    id                 AS deal_id,
    Stage              AS stage,
    Amount             AS amount,
    Closing_Date       AS close_date,
    Probability        AS probability,
    GET(Owner, 'id')::VARCHAR           AS owner_id,
    Created_Time       AS created_at,
    Modified_Time      AS updated_at,
    _valid_from        AS valid_from,
    _valid_to          AS valid_to
FROM "ZOHO_CRM"."DEALS__HISTORY"
WHERE _deleted_at IS NULL
