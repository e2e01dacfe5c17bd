-- Zoho Desk tickets: one row per live ticket (deleted and trashed tickets
-- filtered). first_response_at is Desk's customerResponseTime, the time the
-- customer first got an answer; closed_at is closedTime.
-- config: materialized=view
-- test: unique ticket_id
-- test: not_null ticket_id
-- test: not_null created_at; severity=warn
SELECT
    id                    AS ticket_id,
    ticketNumber          AS ticket_number,
    subject               AS subject,
    description           AS description,
    status                AS status,
    statusType            AS status_type,
    priority              AS priority,
    channel               AS channel,
    category              AS category,
    subCategory           AS sub_category,
    classification        AS classification,
    language              AS language,
    email                 AS email,
    phone                 AS phone,
    contactId             AS contact_id,
    accountId             AS account_id,
    departmentId          AS department_id,
    assigneeId            AS assignee_id,
    teamId                AS team_id,
    createdTime           AS created_at,
    modifiedTime          AS updated_at,
    customerResponseTime  AS first_response_at,
    closedTime            AS closed_at,
    dueDate               AS due_at,
    responseDueDate       AS response_due_at,
    onholdTime            AS on_hold_at,
    threadCount           AS thread_count,
    commentCount          AS comment_count,
    coalesce(isOverDue, false)   AS is_overdue,
    coalesce(isEscalated, false) AS is_escalated,
    coalesce(isSpam, false)      AS is_spam,
    _extracted_at         AS extracted_at
FROM {{ source "zoho_desk" "tickets" }}
WHERE _deleted_at IS NULL
  AND NOT coalesce(isTrashed, false)
