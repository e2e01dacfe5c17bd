-- identity.person_weights (sql/identity/person_weights.sql, transform)
WITH sources AS (
    SELECT count(*) AS k FROM "IDENTITY"."PERSON_FEATURES" GROUP BY source
),

total AS (
    SELECT
        sum(k) * (sum(k) - 1) / 2.0 AS total_pairs
    FROM sources
)

SELECT
    c.kind, c.rules,
    c.c_first_name, c.c_last_name, c.c_dob, c.c_email, c.c_phone, c.c_postcode, c.c_city,
    c.c_address, c.c_company, c.c_domain, c.c_id_number, c.c_gender, c.c_state, c.c_country,
    c.c_occupation, c.c_birth_place,
    count(*) AS n,
    max(t.total_pairs) AS total_pairs
FROM "IDENTITY"."PERSON_COMPARISONS" AS c
CROSS JOIN total AS t
GROUP BY
    c.kind, c.rules,
    c.c_first_name, c.c_last_name, c.c_dob, c.c_email, c.c_phone, c.c_postcode, c.c_city,
    c.c_address, c.c_company, c.c_domain, c.c_id_number, c.c_gender, c.c_state, c.c_country,
    c.c_occupation, c.c_birth_place
