-- staging.stg_zoho_crm__tasks (sql/staging/stg_zoho_crm__tasks.sql)
SELECT
    id                 AS task_id,
    Subject            AS subject,
    Status             AS status,
    Priority           AS priority,
    Due_Date           AS due_date,
    Closed_Time        AS closed_at,
    What_Id.id         AS what_id,
    What_Id.name       AS what_name,
    Who_Id.id          AS who_id,
    Who_Id.name        AS who_name,
    Description        AS description,
    Owner.id           AS owner_id,
    Owner.name         AS owner_name,
    Created_Time       AS created_at,
    Modified_Time      AS updated_at,
    _extracted_at      AS extracted_at
FROM `zoho_crm`.`tasks`
WHERE _deleted_at IS NULL
