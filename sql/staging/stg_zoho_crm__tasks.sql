-- Zoho CRM tasks: one row per live record of the Tasks module (deleted
-- rows filtered). What_Id points at a deal, lead, account (…), Who_Id at a
-- contact; the raw STRUCT(name, id) lookups become <name>_id / <name>_name.
-- config: materialized=view
-- test: unique task_id
-- test: not_null task_id
SELECT
    id                 AS task_id,
    Subject            AS subject,
    Status             AS status,
    Priority           AS priority,
    Due_Date           AS due_date,
    Closed_Time        AS closed_at,
    {{ field "What_Id" "id" }}         AS what_id,
    {{ field "What_Id" "name" }}       AS what_name,
    {{ field "Who_Id" "id" }}          AS who_id,
    {{ field "Who_Id" "name" }}        AS who_name,
    Description        AS description,
    {{ field "Owner" "id" }}           AS owner_id,
    {{ field "Owner" "name" }}         AS owner_name,
    Created_Time       AS created_at,
    Modified_Time      AS updated_at,
    _extracted_at      AS extracted_at
FROM {{ source "zoho_crm" "tasks" }}
WHERE _deleted_at IS NULL
