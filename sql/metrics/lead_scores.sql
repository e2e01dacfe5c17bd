-- metrics.lead_scores: an e-mail engagement score per golden person, from
-- the editable rules in seeds.lead_score_rules (points per action and a
-- half-life in days: an event's points halve every half_life_days of age;
-- 0 keeps them whole) and the bands of seeds.lead_score_bands (the band
-- whose min_score is the highest the score reaches: Hot, Warm, Cold as
-- shipped). Actions without a rule score 0.
-- Grain: one row per person of metrics.email_engagement_by_person.
-- config: materialized=table
-- test: unique person_id
-- test: not_null score
-- test: not_null band
WITH scored AS (
    SELECT
        e.person_id,
        sum(
            CASE
                WHEN r.points IS NULL OR e.event_time IS NULL THEN 0
                WHEN coalesce(r.half_life_days, 0) <= 0 THEN r.points
                ELSE r.points * power(0.5, greatest({{ datediff "hour" "e.event_time" "e.now_" }}, 0) / 24.0 / r.half_life_days)
            END
        ) AS score
    FROM (SELECT *, {{ now }} AS now_ FROM {{ ref "core.email_events" }}) AS e
    LEFT JOIN {{ ref "seeds.lead_score_rules" }} AS r ON r.action = e.action
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
    JOIN {{ ref "seeds.lead_score_bands" }} AS b ON s.score >= b.min_score
)

SELECT
    p.person_id,
    coalesce(b.score, 0) AS score,
    coalesce(b.band, (SELECT band FROM {{ ref "seeds.lead_score_bands" }} ORDER BY min_score LIMIT 1)) AS band,
    p.opens,
    p.clicks,
    p.unsubscribes,
    p.bounces,
    p.unsubscribed,
    p.last_engagement_at
FROM {{ ref "metrics.email_engagement_by_person" }} AS p
LEFT JOIN banded AS b ON b.person_id = p.person_id AND b.rn = 1
