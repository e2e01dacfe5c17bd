-- Zoho Desk ticket versions: one row per version of a ticket that extract
-- saw (zoho_desk.tickets__history), valid from valid_from until valid_to
-- (NULL for the current version): status and priority over time.
-- config: materialized=view
-- test: unique ticket_id,valid_from
-- test: not_null valid_from
SELECT
    id             AS ticket_id,
    status         AS status,
    statusType     AS status_type,
    priority       AS priority,
    assigneeId     AS assignee_id,
    modifiedTime   AS updated_at,
    _valid_from    AS valid_from,
    _valid_to      AS valid_to
FROM {{ source "zoho_desk" "tickets__history" }}
WHERE _deleted_at IS NULL
  AND NOT coalesce(isTrashed, false)
