-- metrics.email_engagement_unmatched: the Zoho Campaigns recipient
-- addresses that join no single golden person, counted, never guessed:
-- no_person (no CRM record carries the address) or several_people
-- (records of different people share it).
-- Grain: one row per normalized address.
-- config: materialized=table
-- test: unique email
-- test: accepted_values reason: no_person,several_people
SELECT
    email_norm AS email,
    min(match) AS reason,
    count(DISTINCT campaign_key) AS campaigns,
    count(*) AS events,
    sum(CASE WHEN action = 'opened' THEN 1 ELSE 0 END) AS opens,
    sum(CASE WHEN action = 'clicked' THEN 1 ELSE 0 END) AS clicks,
    sum(CASE WHEN action = 'unsubscribed' THEN 1 ELSE 0 END) AS unsubscribes,
    max(event_time) AS last_event_at
FROM {{ ref "core.email_events" }}
WHERE person_id IS NULL
GROUP BY email_norm
