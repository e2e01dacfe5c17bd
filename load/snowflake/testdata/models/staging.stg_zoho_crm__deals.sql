-- staging.stg_zoho_crm__deals (sql/staging/stg_zoho_crm__deals.sql, view)
SELECT
    id                     AS deal_id,
    Deal_Name              AS name,
    GET(Account_Name, 'id')::VARCHAR        AS account_id,
    GET(Account_Name, 'name')::VARCHAR      AS account_name,
    GET(Contact_Name, 'id')::VARCHAR        AS contact_id,
    Stage                  AS stage,
    Pipeline               AS pipeline,
    Amount                 AS amount,
    Probability            AS probability,
    Expected_Revenue       AS expected_revenue,
    Closing_Date           AS close_date,
    Type                   AS deal_type,
    Lead_Source            AS lead_source,
    Next_Step              AS next_step,
    Reason_For_Loss__s     AS reason_for_loss,
    Salesforce_Id          AS salesforce_id,
    GET(Owner, 'id')::VARCHAR               AS owner_id,
    GET(Owner, 'name')::VARCHAR             AS owner_name,
    Created_Time           AS created_at,
    Modified_Time          AS updated_at,
    Last_Activity_Time     AS last_activity_at,
    _extracted_at          AS extracted_at
FROM "ZOHO_CRM"."DEALS"
WHERE _deleted_at IS NULL
