-- metrics.ticket_response_times_by_account: ticket volume, first-response
-- and resolution times per account (the account the ticket system
-- records, e.g. a Zoho Desk account) and normalized priority.
-- Grain: one row per (account_id, priority) with at least one ticket;
-- tickets without an account are under account_id NULL.
--   tickets, open_tickets                tickets created, of which not closed
--   avg_first_response_hours             average hours to first response
--   avg_resolution_hours                 average hours to closing
--   last_ticket_at                       creation time of the newest ticket
-- config: materialized=table
-- test: unique account_id,priority
-- test: relationships account_id -> core.accounts.account_id; severity=warn
SELECT
    t.account_id,
    min(a.name) AS account_name,
    t.source_system,
    t.priority,
    min(t.priority_order) AS priority_order,
    count(*) AS tickets,
    sum(CASE WHEN t.is_closed THEN 0 ELSE 1 END) AS open_tickets,
    avg(t.first_response_hours) AS avg_first_response_hours,
    avg(t.resolution_hours) AS avg_resolution_hours,
    max(t.created_at) AS last_ticket_at
FROM {{ ref "core.tickets" }} AS t
LEFT JOIN {{ ref "core.accounts" }} AS a ON a.account_id = t.account_id
GROUP BY t.account_id, t.source_system, t.priority
