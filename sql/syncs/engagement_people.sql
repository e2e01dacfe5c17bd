-- syncs.engagement_people: the Zoho Campaigns engagement of each golden
-- person that the "Zoho Campaigns engagement → CRM" template writes onto
-- the person's leads and contacts in Salesforce and Zoho CRM
-- (syncs.engagement_sf_leads, engagement_sf_contacts, engagement_zoho_leads,
-- engagement_zoho_contacts) and whose responses it logs as Salesforce
-- Tasks (syncs.engagement_sf_tasks).
--   score              the lead score of metrics.lead_scores (the rules of
--                      seeds.lead_score_rules: points per action, halving
--                      every half_life_days), as a whole number and taken
--                      at the start of today: it moves at most once a day,
--                      and only when the whole number changes, so a re-run
--                      the same day writes nothing
--   band               the band of that score (seeds.lead_score_bands)
--   last_engagement_at the person's last open, click or unsubscribe
--   opted_out          TRUE once the person unsubscribed from a campaign,
--                      else NULL: the syncs map it with skip_nulls, so this
--                      template marks e-mail opt-out and never clears it
-- score, band and last_engagement_at are NULL for a person the filter
-- leaves out; such a person is here only to carry an unsubscribe (the
-- opt-out is written whatever the filter).
-- Events of addresses that match no person, or several, are in
-- metrics.email_engagement_unmatched and are written nowhere.
-- Filter (which people get a score and their responses logged): the
-- WHERE of `takes_part`. As shipped: people who opened or clicked at
-- least once. E.g. add `AND NOT s.unsubscribed` (no scores for people
-- who left the list), `AND s.band IN ('Hot', 'Warm')`, or `AND s.clicks
-- > 0`; a filter on the CRM record (lead source, owner) goes in the WHERE
-- of the per-object models.
-- config: materialized=view
-- test: unique person_id
-- test: not_null person_id
WITH today AS (
    SELECT {{ date_trunc "day" now }} AS day_start
),

points AS (
    SELECT
        e.person_id,
        sum(
            CASE
                WHEN r.points IS NULL OR e.event_time IS NULL THEN 0
                WHEN coalesce(r.half_life_days, 0) <= 0 THEN r.points
                ELSE r.points * power(0.5, greatest({{ datediff "hour" "e.event_time" "t.day_start" }}, 0) / 24.0 / r.half_life_days)
            END
        ) AS raw_score
    FROM {{ ref "core.email_events" }} AS e
    CROSS JOIN today AS t
    LEFT JOIN {{ ref "seeds.lead_score_rules" }} AS r ON r.action = e.action
    WHERE e.person_id IS NOT NULL
    GROUP BY e.person_id
),

scored AS (
    SELECT
        p.person_id,
        {{ cast "round(coalesce(s.raw_score, 0))" "bigint" }} AS score,
        p.opens,
        p.clicks,
        p.unsubscribed,
        p.last_engagement_at
    FROM {{ ref "metrics.email_engagement_by_person" }} AS p
    LEFT JOIN points AS s ON s.person_id = p.person_id
),

banded AS (
    SELECT
        s.*,
        b.band,
        row_number() OVER (PARTITION BY s.person_id ORDER BY b.min_score DESC) AS rn
    FROM scored AS s
    LEFT JOIN {{ ref "seeds.lead_score_bands" }} AS b ON s.score >= b.min_score
),

takes_part AS (
    SELECT s.person_id
    FROM banded AS s
    WHERE s.rn = 1
      AND (s.opens > 0 OR s.clicks > 0)
)

SELECT
    b.person_id,
    CASE WHEN t.person_id IS NOT NULL THEN b.score END              AS score,
    CASE WHEN t.person_id IS NOT NULL THEN b.band END               AS band,
    CASE WHEN t.person_id IS NOT NULL THEN b.last_engagement_at END AS last_engagement_at,
    CASE WHEN b.unsubscribed THEN TRUE END                          AS opted_out,
    t.person_id IS NOT NULL                                         AS takes_part
FROM banded AS b
LEFT JOIN takes_part AS t ON t.person_id = b.person_id
WHERE b.rn = 1
  AND (t.person_id IS NOT NULL OR b.unsubscribed)
