-- staging.stg_zoho_crm__leads_versions (sql/staging/stg_zoho_crm__leads_versions.sql, view)
SELECT
    id                 AS lead_id,
    Lead_Status        AS lead_status,
    Lead_Source        AS lead_source,
    coalesce(Converted__s, false) AS is_converted,
    GET(Owner, 'id')::VARCHAR           AS owner_id,
    Created_Time       AS created_at,
    Modified_Time      AS updated_at,
    _valid_from        AS valid_from,
    _valid_to          AS valid_to
FROM "ZOHO_CRM"."LEADS__HISTORY"
WHERE _deleted_at IS NULL
