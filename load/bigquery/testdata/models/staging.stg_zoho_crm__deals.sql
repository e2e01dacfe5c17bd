-- staging.stg_zoho_crm__deals (sql/staging/stg_zoho_crm__deals.sql)
SELECT
    id                     AS deal_id,
    Deal_Name              AS name,
    Account_Name.id        AS account_id,
    Account_Name.name      AS account_name,
    Contact_Name.id        AS contact_id,
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
    Owner.id               AS owner_id,
    Owner.name             AS owner_name,
    Created_Time           AS created_at,
    Modified_Time          AS updated_at,
    Last_Activity_Time     AS last_activity_at,
    _extracted_at          AS extracted_at
FROM `zoho_crm`.`deals`
WHERE _deleted_at IS NULL
