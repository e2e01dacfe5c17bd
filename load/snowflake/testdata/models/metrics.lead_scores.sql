-- metrics.lead_scores (sql/metrics/lead_scores.sql, table)
WITH scored AS (
    SELECT
        e.person_id,
        sum(
            CASE
                WHEN r.points IS NULL OR e.event_time IS NULL THEN 0
                WHEN coalesce(r.half_life_days, 0) <= 0 THEN r.points
                ELSE r.points * power(0.5, greatest(DATEDIFF(hour, e.event_time, e.now_), 0) / 24.0 / r.half_life_days)
            END
        ) AS score
    FROM (SELECT *, CURRENT_TIMESTAMP() AS now_ FROM "CORE"."EMAIL_EVENTS") AS e
    LEFT JOIN "SEEDS"."LEAD_SCORE_RULES" AS r ON r.action = e.action
    WHERE e.person_id IS NOT NULL
    GROUP BY e.person_id
),

banded AS (
    SELECT
        s.person_id,
        round(s.score, 2) AS score,
        b.band,
        row_number() OVER (PARTITION BY s.person_id ORDER BY b.min_score DESC) AS rn
    FROM scored AS s
    JOIN "SEEDS"."LEAD_SCORE_BANDS" AS b ON s.score >= b.min_score
)

SELECT
    p.person_id,
    coalesce(b.score, 0) AS score,
    coalesce(b.band, (SELECT band FROM "SEEDS"."LEAD_SCORE_BANDS" ORDER BY min_score LIMIT 1)) AS band,
    p.opens,
    p.clicks,
    p.unsubscribes,
    p.bounces,
    p.unsubscribed,
    p.last_engagement_at
FROM "METRICS"."EMAIL_ENGAGEMENT_BY_PERSON" AS p
LEFT JOIN banded AS b ON b.person_id = p.person_id AND b.rn = 1
