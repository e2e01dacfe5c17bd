-- metrics.email_engagement_unmatched (sql/metrics/email_engagement_unmatched.sql, table)
SELECT
    email_norm AS email,
    min(match) AS reason,
    count(DISTINCT campaign_key) AS campaigns,
    count(*) AS events,
    sum(CASE WHEN action = 'opened' THEN 1 ELSE 0 END) AS opens,
    sum(CASE WHEN action = 'clicked' THEN 1 ELSE 0 END) AS clicks,
    sum(CASE WHEN action = 'unsubscribed' THEN 1 ELSE 0 END) AS unsubscribes,
    max(event_time) AS last_event_at
FROM "CORE"."EMAIL_EVENTS"
WHERE person_id IS NULL
GROUP BY email_norm
