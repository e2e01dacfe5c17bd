-- staging.stg_salesforce__task (sql/staging/stg_salesforce__task.sql, view)
SELECT
    Id                 AS task_id,
    Subject            AS subject,
    Type               AS task_type,
    TaskSubtype        AS task_subtype,
    Status             AS status,
    Priority           AS priority,
    coalesce(IsClosed, false) AS is_closed,
    ActivityDate       AS due_date,
    CompletedDateTime  AS completed_at,
    WhoId              AS who_id,
    WhatId             AS what_id,
    AccountId          AS account_id,
    Description        AS description,
    OwnerId            AS owner_id,
    CreatedDate        AS created_at,
    LastModifiedDate   AS updated_at,
    _extracted_at      AS extracted_at
FROM "SALESFORCE"."TASK"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
