-- identity.company_weights (sql/identity/company_weights.sql, transform)
WITH sources AS (
    SELECT count(*) AS k FROM "IDENTITY"."COMPANY_FEATURES" GROUP BY source
),

total AS (
    SELECT
        sum(k) * (sum(k) - 1) / 2.0 AS total_pairs
    FROM sources
)

SELECT
    c.kind, c.rules,
    c.c_company, c.c_domain, c.c_phone, c.c_address, c.c_postcode, c.c_city, c.c_state, c.c_country,
    count(*) AS n,
    max(t.total_pairs) AS total_pairs
FROM "IDENTITY"."COMPANY_COMPARISONS" AS c
CROSS JOIN total AS t
GROUP BY
    c.kind, c.rules,
    c.c_company, c.c_domain, c.c_phone, c.c_address, c.c_postcode, c.c_city, c.c_state, c.c_country
