-- staging.stg_zoho_desk__tickets_versions (sql/staging/stg_zoho_desk__tickets_versions.sql, view)
SELECT
    id             AS ticket_id,
    status         AS status,
    statusType     AS status_type,
    priority       AS priority,
    assigneeId     AS assignee_id,
    modifiedTime   AS updated_at,
    _valid_from    AS valid_from,
    _valid_to      AS valid_to
FROM "ZOHO_DESK"."TICKETS__HISTORY"
WHERE _deleted_at IS NULL
  AND NOT coalesce(isTrashed, false)
