-- metrics.email_engagement_by_person (sql/metrics/email_engagement_by_person.sql, table)
SELECT
    person_id,
    min(email_norm) AS email,
    count(DISTINCT CASE WHEN action = 'sent' THEN campaign_key END) AS campaigns_received,
    count(DISTINCT CASE WHEN action = 'opened' THEN campaign_key END) AS opens,
    count(DISTINCT CASE WHEN action = 'clicked' THEN campaign_key END) AS clicks,
    count(DISTINCT CASE WHEN action = 'unsubscribed' THEN campaign_key END) AS unsubscribes,
    count(DISTINCT CASE WHEN action IN ('hard_bounce', 'soft_bounce') THEN campaign_key END) AS bounces,
    max(CASE WHEN action IN ('opened', 'clicked', 'unsubscribed') THEN event_time END) AS last_engagement_at,
    max(CASE WHEN action = 'unsubscribed' THEN event_time END) AS unsubscribed_at,
    max(CASE WHEN action = 'unsubscribed' THEN 1 ELSE 0 END) = 1 AS unsubscribed
FROM "CORE"."EMAIL_EVENTS"
WHERE person_id IS NOT NULL
GROUP BY person_id
