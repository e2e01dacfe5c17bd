-- staging.stg_zoho_crm__tasks (sql/staging/stg_zoho_crm__tasks.sql, view)
SELECT
    id                 AS task_id,
    Subject            AS subject,
    Status             AS status,
    Priority           AS priority,
    Due_Date           AS due_date,
    Closed_Time        AS closed_at,
    GET(What_Id, 'id')::VARCHAR         AS what_id,
    GET(What_Id, 'name')::VARCHAR       AS what_name,
    GET(Who_Id, 'id')::VARCHAR          AS who_id,
    GET(Who_Id, 'name')::VARCHAR        AS who_name,
    Description        AS description,
    GET(Owner, 'id')::VARCHAR           AS owner_id,
    GET(Owner, 'name')::VARCHAR         AS owner_name,
    Created_Time       AS created_at,
    Modified_Time      AS updated_at,
    _extracted_at      AS extracted_at
FROM "ZOHO_CRM"."TASKS"
WHERE _deleted_at IS NULL
