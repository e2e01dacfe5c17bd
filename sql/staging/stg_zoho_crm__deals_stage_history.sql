-- Zoho CRM Deals Stage_History: one row per stage change of a deal, as
-- Zoho recorded it (changed_at = the entry's Modified_Time).
-- config: materialized=view
-- test: unique stage_history_id
-- test: not_null deal_id
-- test: not_null changed_at; severity=warn
SELECT
    id                 AS stage_history_id,
    Deal_Id            AS deal_id,
    Stage              AS stage,
    Amount             AS amount,
    Probability        AS probability,
    Expected_Revenue   AS expected_revenue,
    Closing_Date       AS close_date,
    Duration_Days      AS duration_days,
    {{ field "Modified_By" "id" }}     AS changed_by_id,
    {{ field "Modified_By" "name" }}   AS changed_by_name,
    Modified_Time      AS changed_at,
    _extracted_at      AS extracted_at
FROM {{ source "zoho_crm" "deals_stage_history" }}
WHERE _deleted_at IS NULL
