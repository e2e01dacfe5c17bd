-- Every Zoho Campaigns recipient event is in core.email_events once, and
-- each person's opens in metrics.email_engagement_by_person equal their
-- matched open events (one per campaign). Failing rows: what is off.
SELECT e.event_id AS what, 'the event is missing from core.email_events' AS problem
FROM {{ ref "stg_zoho_campaigns__recipients" }} AS e
LEFT JOIN {{ ref "core.email_events" }} AS c ON c.event_id = e.event_id
WHERE c.event_id IS NULL

UNION ALL
SELECT p.person_id, 'opens differ from the person''s open events'
FROM {{ ref "metrics.email_engagement_by_person" }} AS p
LEFT JOIN (
    SELECT person_id, count(DISTINCT campaign_key) AS opens
    FROM {{ ref "core.email_events" }}
    WHERE action = 'opened' AND person_id IS NOT NULL
    GROUP BY person_id
) AS o ON o.person_id = p.person_id
WHERE p.opens <> coalesce(o.opens, 0)
