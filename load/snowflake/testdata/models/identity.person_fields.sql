-- identity.person_fields (sql/identity/person_fields.sql, table)
WITH members AS (
    SELECT
        s.golden_id,
        i.*,
        CASE WHEN first_name IS NULL THEN 0 ELSE 1 END +
            CASE WHEN last_name IS NULL THEN 0 ELSE 1 END +
            CASE WHEN email IS NULL THEN 0 ELSE 1 END +
            CASE WHEN phone IS NULL THEN 0 ELSE 1 END +
            CASE WHEN mobile IS NULL THEN 0 ELSE 1 END +
            CASE WHEN title IS NULL THEN 0 ELSE 1 END +
            CASE WHEN company IS NULL THEN 0 ELSE 1 END +
            CASE WHEN address IS NULL THEN 0 ELSE 1 END +
            CASE WHEN city IS NULL THEN 0 ELSE 1 END +
            CASE WHEN state IS NULL THEN 0 ELSE 1 END +
            CASE WHEN postcode IS NULL THEN 0 ELSE 1 END +
            CASE WHEN country IS NULL THEN 0 ELSE 1 END +
            CASE WHEN date_of_birth IS NULL THEN 0 ELSE 1 END +
            CASE WHEN lead_source IS NULL THEN 0 ELSE 1 END AS completeness
    FROM "IDENTITY"."PERSON_ID_STATE" AS s
    JOIN "IDENTITY"."PERSON_INPUT" AS i ON i.record_id = s.record_id
    WHERE s.is_present
),

long AS (
    SELECT golden_id, record_id, source, updated_at, completeness, 'first_name' AS field, CAST(first_name AS VARCHAR) AS value FROM members WHERE first_name IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'last_name' AS field, CAST(last_name AS VARCHAR) AS value FROM members WHERE last_name IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'email' AS field, CAST(email AS VARCHAR) AS value FROM members WHERE email IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'phone' AS field, CAST(phone AS VARCHAR) AS value FROM members WHERE phone IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'mobile' AS field, CAST(mobile AS VARCHAR) AS value FROM members WHERE mobile IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'title' AS field, CAST(title AS VARCHAR) AS value FROM members WHERE title IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'company' AS field, CAST(company AS VARCHAR) AS value FROM members WHERE company IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'address' AS field, CAST(address AS VARCHAR) AS value FROM members WHERE address IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'city' AS field, CAST(city AS VARCHAR) AS value FROM members WHERE city IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'state' AS field, CAST(state AS VARCHAR) AS value FROM members WHERE state IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'postcode' AS field, CAST(postcode AS VARCHAR) AS value FROM members WHERE postcode IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'country' AS field, CAST(country AS VARCHAR) AS value FROM members WHERE country IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'date_of_birth' AS field, CAST(date_of_birth AS VARCHAR) AS value FROM members WHERE date_of_birth IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'lead_source' AS field, CAST(lead_source AS VARCHAR) AS value FROM members WHERE lead_source IS NOT NULL
),

keyed AS (
    SELECT l.*, lower(trim(l.value)) AS value_key FROM long AS l
),

frequency AS (
    SELECT golden_id, field, value_key, count(*) AS holders
    FROM keyed
    GROUP BY golden_id, field, value_key
),

candidates AS (
    SELECT golden_id, field, count(*) AS candidates
    FROM frequency
    GROUP BY golden_id, field
),

scored AS (
    SELECT
        k.*,
        f.holders,
        c.candidates,
        coalesce(r.rule, 'most_recent') AS rule,
        coalesce(fp.priority, dp.priority, 999) AS source_rank
    FROM keyed AS k
    JOIN frequency AS f
        ON f.golden_id = k.golden_id AND f.field = k.field AND f.value_key = k.value_key
    JOIN candidates AS c ON c.golden_id = k.golden_id AND c.field = k.field
    LEFT JOIN "SEEDS"."IDENTITY_SURVIVORSHIP" AS r
        ON r.entity = 'person' AND r.field = k.field
    LEFT JOIN "SEEDS"."IDENTITY_SOURCE_PRIORITY" AS fp
        ON fp.entity = 'person' AND fp.field = k.field AND fp.source = k.source
    LEFT JOIN "SEEDS"."IDENTITY_SOURCE_PRIORITY" AS dp
        ON dp.entity = 'person' AND dp.field = '*' AND dp.source = k.source
),

ranked AS (
    SELECT
        s.*,
        row_number() OVER (
            PARTITION BY s.golden_id, s.field
            ORDER BY
                CASE WHEN s.rule = 'source_priority' THEN s.source_rank END ASC NULLS LAST,
                CASE WHEN s.rule = 'most_frequent' THEN s.holders END DESC NULLS LAST,
                CASE WHEN s.rule = 'most_complete' THEN s.completeness END DESC NULLS LAST,
                s.updated_at DESC NULLS LAST,
                s.source_rank,
                s.record_id
        ) AS rn
    FROM scored AS s
)

SELECT golden_id, field, value, record_id, source, rule, candidates, holders
FROM ranked
WHERE rn = 1
