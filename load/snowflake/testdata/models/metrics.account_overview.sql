-- metrics.account_overview (sql/metrics/account_overview.sql, table)
WITH crm_accounts AS (
    SELECT *
    FROM "CORE"."ACCOUNTS"
    WHERE source_system IN ('salesforce', 'zoho_crm')
),

deal_rollup AS (
    SELECT
        d.account_id,
        sum(CASE WHEN NOT d.is_closed THEN 1 ELSE 0 END) AS open_deals,
        sum(CASE WHEN NOT d.is_closed THEN coalesce(d.amount, 0) ELSE 0 END) AS open_pipeline_amount,
        sum(CASE WHEN NOT d.is_closed
            THEN coalesce(d.amount, 0) * coalesce(d.probability, 0) / 100 ELSE 0 END) AS weighted_pipeline_amount,
        min(CASE WHEN NOT d.is_closed THEN d.close_date END) AS next_close_date,
        max(CASE WHEN NOT d.is_closed THEN d.stage_order END) AS furthest_open_stage_order,
        sum(CASE WHEN d.is_won THEN 1 ELSE 0 END) AS won_deals,
        sum(CASE WHEN d.is_won THEN coalesce(d.amount, 0) ELSE 0 END) AS won_amount,
        max(CASE WHEN d.is_won THEN d.close_date END) AS last_won_date,
        sum(CASE WHEN d.is_closed AND NOT d.is_won THEN 1 ELSE 0 END) AS lost_deals
    FROM "CORE"."DEALS" AS d
    GROUP BY d.account_id
),

ticket_links AS (
    -- Tickets recorded against the account itself ...
    SELECT a.account_id, t.ticket_id
    FROM crm_accounts AS a
    JOIN "CORE"."TICKETS" AS t ON t.account_id = a.account_id
    UNION
    -- ... and tickets of other systems' accounts with the same domain.
    SELECT a.account_id, t.ticket_id
    FROM crm_accounts AS a
    JOIN "CORE"."ACCOUNTS" AS ta
        ON ta.domain = a.domain AND ta.source_system <> a.source_system
    JOIN "CORE"."TICKETS" AS t ON t.account_id = ta.account_id
),

ticket_rollup AS (
    SELECT
        l.account_id,
        sum(CASE WHEN NOT t.is_closed THEN 1 ELSE 0 END) AS open_tickets,
        sum(CASE WHEN NOT t.is_closed AND t.priority IN ('urgent', 'high') THEN 1 ELSE 0 END)
            AS open_urgent_high_tickets,
        sum(CASE WHEN NOT t.is_closed AND t.is_overdue THEN 1 ELSE 0 END) AS overdue_open_tickets,
        sum(CASE WHEN DATEDIFF(day, t.created_at, now_) <= 90 THEN 1 ELSE 0 END)
            AS tickets_last_90_days,
        avg(CASE WHEN DATEDIFF(day, t.created_at, now_) <= 90 THEN t.first_response_hours END)
            AS avg_first_response_hours_90d,
        max(t.created_at) AS last_ticket_at
    FROM ticket_links AS l
    JOIN (SELECT *, CURRENT_TIMESTAMP() AS now_ FROM "CORE"."TICKETS") AS t
        ON t.ticket_id = l.ticket_id
    GROUP BY l.account_id
),

activity_rollup AS (
    SELECT
        account_id,
        sum(CASE WHEN DATEDIFF(day, created_at, now_) <= 30 THEN 1 ELSE 0 END)
            AS activities_last_30_days,
        max(created_at) AS last_activity_at
    FROM (SELECT *, CURRENT_TIMESTAMP() AS now_ FROM "CORE"."ACTIVITIES") AS a
    WHERE account_id IS NOT NULL
    GROUP BY account_id
)

SELECT
    a.account_id,
    a.source_system,
    a.source_id,
    a.name AS account_name,
    a.domain,
    a.industry,
    a.owner_name,
    coalesce(d.open_deals, 0) AS open_deals,
    coalesce(d.open_pipeline_amount, 0) AS open_pipeline_amount,
    coalesce(d.weighted_pipeline_amount, 0) AS weighted_pipeline_amount,
    d.next_close_date,
    st.stage AS furthest_open_stage,
    coalesce(d.won_deals, 0) AS won_deals,
    coalesce(d.won_amount, 0) AS won_amount,
    d.last_won_date,
    coalesce(d.lost_deals, 0) AS lost_deals,
    coalesce(t.open_tickets, 0) AS open_tickets,
    coalesce(t.open_urgent_high_tickets, 0) AS open_urgent_high_tickets,
    coalesce(t.overdue_open_tickets, 0) AS overdue_open_tickets,
    coalesce(t.tickets_last_90_days, 0) AS tickets_last_90_days,
    t.avg_first_response_hours_90d,
    t.last_ticket_at,
    coalesce(x.activities_last_30_days, 0) AS activities_last_30_days,
    x.last_activity_at
FROM crm_accounts AS a
LEFT JOIN deal_rollup AS d ON d.account_id = a.account_id
LEFT JOIN "SEEDS"."DEAL_STAGES" AS st ON st.stage_order = d.furthest_open_stage_order
LEFT JOIN ticket_rollup AS t ON t.account_id = a.account_id
LEFT JOIN activity_rollup AS x ON x.account_id = a.account_id
