-- staging.stg_zoho_crm__deals_stage_history (sql/staging/stg_zoho_crm__deals_stage_history.sql, view)
SELECT
    id                 AS stage_history_id,
    Deal_Id            AS deal_id,
    Stage              AS stage,
    Amount             AS amount,
    Probability        AS probability,
    Expected_Revenue   AS expected_revenue,
    Closing_Date       AS close_date,
    Duration_Days      AS duration_days,
    GET(Modified_By, 'id')::VARCHAR     AS changed_by_id,
    GET(Modified_By, 'name')::VARCHAR   AS changed_by_name,
    Modified_Time      AS changed_at,
    _extracted_at      AS extracted_at
FROM "ZOHO_CRM"."DEALS_STAGE_HISTORY"
WHERE _deleted_at IS NULL
