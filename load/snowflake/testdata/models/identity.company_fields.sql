-- identity.company_fields (sql/identity/company_fields.sql, table)
WITH members AS (
    SELECT
        s.golden_id,
        i.*,
        CASE WHEN company IS NULL THEN 0 ELSE 1 END +
            CASE WHEN website IS NULL THEN 0 ELSE 1 END +
            CASE WHEN email IS NULL THEN 0 ELSE 1 END +
            CASE WHEN phone IS NULL THEN 0 ELSE 1 END +
            CASE WHEN industry IS NULL THEN 0 ELSE 1 END +
            CASE WHEN employees IS NULL THEN 0 ELSE 1 END +
            CASE WHEN annual_revenue IS NULL THEN 0 ELSE 1 END +
            CASE WHEN address IS NULL THEN 0 ELSE 1 END +
            CASE WHEN city IS NULL THEN 0 ELSE 1 END +
            CASE WHEN state IS NULL THEN 0 ELSE 1 END +
            CASE WHEN postcode IS NULL THEN 0 ELSE 1 END +
            CASE WHEN country IS NULL THEN 0 ELSE 1 END AS completeness
    FROM "IDENTITY"."COMPANY_ID_STATE" AS s
    JOIN "IDENTITY"."COMPANY_INPUT" AS i ON i.record_id = s.record_id
    WHERE s.is_present
),

long AS (
    SELECT golden_id, record_id, source, updated_at, completeness, 'name' AS field, CAST(company AS VARCHAR) AS value FROM members WHERE company IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'website' AS field, CAST(website AS VARCHAR) AS value FROM members WHERE website IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'email' AS field, CAST(email AS VARCHAR) AS value FROM members WHERE email IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'phone' AS field, CAST(phone AS VARCHAR) AS value FROM members WHERE phone IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'industry' AS field, CAST(industry AS VARCHAR) AS value FROM members WHERE industry IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'employees' AS field, CAST(employees AS VARCHAR) AS value FROM members WHERE employees IS NOT NULL
    UNION ALL
    SELECT golden_id, record_id, source, updated_at, completeness, 'annual_revenue' AS field, CAST(annual_revenue AS VARCHAR) AS value FROM members WHERE annual_revenue IS NOT NULL
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
        ON r.entity = 'company' AND r.field = k.field
    LEFT JOIN "SEEDS"."IDENTITY_SOURCE_PRIORITY" AS fp
        ON fp.entity = 'company' AND fp.field = k.field AND fp.source = k.source
    LEFT JOIN "SEEDS"."IDENTITY_SOURCE_PRIORITY" AS dp
        ON dp.entity = 'company' AND dp.field = '*' AND dp.source = k.source
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
