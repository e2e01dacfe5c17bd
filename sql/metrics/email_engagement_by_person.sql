-- metrics.email_engagement_by_person: Zoho Campaigns engagement of each
-- golden person (identity.persons.person_id): campaigns received, and in
-- how many of them the person opened, clicked, unsubscribed or bounced;
-- when they last engaged (an open, a click or an unsubscribe) and whether
-- they unsubscribed. Events of addresses that join no single person are
-- left out (metrics.email_engagement_unmatched).
-- Grain: one row per golden person with at least one campaign event.
-- config: materialized=table
-- test: unique person_id
-- test: not_null person_id
-- test: relationships person_id -> identity.persons.person_id; severity=warn
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
FROM {{ ref "core.email_events" }}
WHERE person_id IS NOT NULL
GROUP BY person_id
