-- metrics.ticket_response_times_by_account (sql/metrics/ticket_response_times_by_account.sql, table)
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
FROM "CORE"."TICKETS" AS t
LEFT JOIN "CORE"."ACCOUNTS" AS a ON a.account_id = t.account_id
GROUP BY t.account_id, t.source_system, t.priority
