-- metrics.account_overview_unique (sql/metrics/account_overview_unique.sql, table)
WITH deals AS (
    SELECT *
    FROM (
        SELECT
            d.*,
            row_number() OVER (
                PARTITION BY coalesce(d.unique_deal_id, d.deal_id)
                ORDER BY d.updated_at DESC NULLS LAST, d.deal_id
            ) AS nth
        FROM "CORE"."DEALS" AS d
    ) AS x
    WHERE nth = 1 AND company_id IS NOT NULL
),

deal_rollup AS (
    SELECT
        company_id,
        sum(CASE WHEN NOT is_closed THEN 1 ELSE 0 END) AS open_deals,
        sum(CASE WHEN NOT is_closed THEN coalesce(amount, 0) ELSE 0 END) AS open_pipeline_amount,
        sum(CASE WHEN NOT is_closed
            THEN coalesce(amount, 0) * coalesce(probability, 0) / 100 ELSE 0 END) AS weighted_pipeline_amount,
        min(CASE WHEN NOT is_closed THEN close_date END) AS next_close_date,
        sum(CASE WHEN is_won THEN 1 ELSE 0 END) AS won_deals,
        sum(CASE WHEN is_won THEN coalesce(amount, 0) ELSE 0 END) AS won_amount,
        max(CASE WHEN is_won THEN close_date END) AS last_won_date,
        sum(CASE WHEN is_closed AND NOT is_won THEN 1 ELSE 0 END) AS lost_deals
    FROM deals
    GROUP BY company_id
),

tickets AS (
    SELECT t.*, coalesce(t.company_id, p.company_id) AS company, CURRENT_TIMESTAMP() AS now_
    FROM "CORE"."TICKETS" AS t
    LEFT JOIN "IDENTITY"."PERSONS" AS p ON p.person_id = t.person_id
),

ticket_rollup AS (
    SELECT
        company AS company_id,
        sum(CASE WHEN NOT is_closed THEN 1 ELSE 0 END) AS open_tickets,
        sum(CASE WHEN NOT is_closed AND priority IN ('urgent', 'high') THEN 1 ELSE 0 END)
            AS open_urgent_high_tickets,
        sum(CASE WHEN DATEDIFF(day, created_at, now_) <= 90 THEN 1 ELSE 0 END)
            AS tickets_last_90_days,
        max(created_at) AS last_ticket_at
    FROM tickets
    WHERE company IS NOT NULL
    GROUP BY company
)

SELECT
    c.company_id,
    c.name,
    c.domain,
    c.industry,
    c.records,
    c.systems,
    c.persons,
    coalesce(d.open_deals, 0) AS open_deals,
    coalesce(d.open_pipeline_amount, 0) AS open_pipeline_amount,
    coalesce(d.weighted_pipeline_amount, 0) AS weighted_pipeline_amount,
    d.next_close_date,
    coalesce(d.won_deals, 0) AS won_deals,
    coalesce(d.won_amount, 0) AS won_amount,
    d.last_won_date,
    coalesce(d.lost_deals, 0) AS lost_deals,
    coalesce(t.open_tickets, 0) AS open_tickets,
    coalesce(t.open_urgent_high_tickets, 0) AS open_urgent_high_tickets,
    coalesce(t.tickets_last_90_days, 0) AS tickets_last_90_days,
    t.last_ticket_at
FROM "IDENTITY"."COMPANIES" AS c
LEFT JOIN deal_rollup AS d ON d.company_id = c.company_id
LEFT JOIN ticket_rollup AS t ON t.company_id = c.company_id
