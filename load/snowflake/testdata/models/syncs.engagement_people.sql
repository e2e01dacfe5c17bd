-- syncs.engagement_people (sql/syncs/engagement_people.sql, view)
WITH today AS (
    SELECT DATE_TRUNC('day', CURRENT_TIMESTAMP()) AS day_start
),

points AS (
    SELECT
        e.person_id,
        sum(
            CASE
                WHEN r.points IS NULL OR e.event_time IS NULL THEN 0
                WHEN coalesce(r.half_life_days, 0) <= 0 THEN r.points
                ELSE r.points * power(0.5, greatest(DATEDIFF(hour, e.event_time, t.day_start), 0) / 24.0 / r.half_life_days)
            END
        ) AS raw_score
    FROM "CORE"."EMAIL_EVENTS" AS e
    CROSS JOIN today AS t
    LEFT JOIN "SEEDS"."LEAD_SCORE_RULES" AS r ON r.action = e.action
    WHERE e.person_id IS NOT NULL
    GROUP BY e.person_id
),

scored AS (
    SELECT
        p.person_id,
        CAST(round(coalesce(s.raw_score, 0)) AS NUMBER(38,0)) AS score,
        p.opens,
        p.clicks,
        p.unsubscribed,
        p.last_engagement_at
    FROM "METRICS"."EMAIL_ENGAGEMENT_BY_PERSON" AS p
    LEFT JOIN points AS s ON s.person_id = p.person_id
),

banded AS (
    SELECT
        s.*,
        b.band,
        row_number() OVER (PARTITION BY s.person_id ORDER BY b.min_score DESC) AS rn
    FROM scored AS s
    LEFT JOIN "SEEDS"."LEAD_SCORE_BANDS" AS b ON s.score >= b.min_score
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
