-- staging.stg_salesforce__case (sql/staging/stg_salesforce__case.sql, view)
SELECT
    Id              AS case_id,
    CaseNumber      AS case_number,
    Subject         AS subject,
    Description     AS description,
    Status          AS status,
    Priority        AS priority,
    Origin          AS origin,
    Type            AS case_type,
    Reason          AS reason,
    AccountId       AS account_id,
    ContactId       AS contact_id,
    coalesce(IsClosed, false)    AS is_closed,
    coalesce(IsEscalated, false) AS is_escalated,
    ClosedDate      AS closed_at,
    SuppliedEmail   AS supplied_email,
    SuppliedPhone   AS supplied_phone,
    OwnerId         AS owner_id,
    CreatedDate     AS created_at,
    LastModifiedDate AS updated_at,
    _extracted_at   AS extracted_at
FROM "SALESFORCE"."CASE"
WHERE _deleted_at IS NULL
  AND NOT coalesce(IsDeleted, false)
