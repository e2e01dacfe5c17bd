-- core.email_events: every Zoho Campaigns recipient event with the golden
-- person it belongs to. A recipient address joins the golden person whose
-- CRM records carry that address (normalized as identity normalizes
-- e-mails: lower case, no +tag). An address no person has, or that
-- records of several different people share, is not guessed: person_id
-- stays NULL and match says why (metrics.email_engagement_unmatched
-- counts them).
--   match  person | no_person | several_people
-- Grain: one row per campaign × e-mail × action.
-- config: materialized=table
-- test: unique event_id
-- test: not_null match
-- test: accepted_values match: person,no_person,several_people
WITH person_emails AS (
    SELECT f.email AS email_norm, min(x.golden_id) AS person_id, count(DISTINCT x.golden_id) AS people
    FROM {{ ref "identity.person_features" }} AS f
    JOIN {{ ref "identity.crosswalk" }} AS x ON x.record_id = f.record_id AND x.entity = 'person'
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
FROM {{ ref "stg_zoho_campaigns__recipients" }} AS e
LEFT JOIN {{ ref "stg_zoho_campaigns__campaigns" }} AS c ON c.campaign_key = e.campaign_key
LEFT JOIN person_emails AS p ON p.email_norm = e.email_norm
