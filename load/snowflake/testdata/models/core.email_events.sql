-- core.email_events (sql/core/email_events.sql, table)
WITH person_emails AS (
    SELECT f.email AS email_norm, min(x.golden_id) AS person_id, count(DISTINCT x.golden_id) AS people
    FROM "IDENTITY"."PERSON_FEATURES" AS f
    JOIN "IDENTITY"."CROSSWALK" AS x ON x.record_id = f.record_id AND x.entity = 'person'
    WHERE f.email IS NOT NULL
    GROUP BY f.email
)

SELECT
    e.event_id,
    e.campaign_key,
    c.campaign_name,
    e.action,
    e.email,
    e.email_norm,
    e.event_time,
    e.sent_time,
    CASE WHEN p.people = 1 THEN p.person_id END AS person_id,
    CASE
        WHEN p.people = 1 THEN 'person'
        WHEN p.people > 1 THEN 'several_people'
        ELSE 'no_person'
    END AS match
FROM "STAGING"."STG_ZOHO_CAMPAIGNS__RECIPIENTS" AS e
LEFT JOIN "STAGING"."STG_ZOHO_CAMPAIGNS__CAMPAIGNS" AS c ON c.campaign_key = e.campaign_key
LEFT JOIN person_emails AS p ON p.email_norm = e.email_norm
