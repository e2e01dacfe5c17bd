-- identity.company_comparisons (sql/identity/company_comparisons.sql, table)
WITH pairs AS (
    SELECT kind, rn_l, rn_r, rules, deterministic FROM "IDENTITY"."COMPANY_PAIRS"
),

f AS (
    SELECT
        rn, company, company_token, domain, phone, phone_local, address, address_number, street,
        postcode, postcode_area, city, state, country
    FROM "IDENTITY"."COMPANY_FEATURES"
),

sims AS (
    SELECT
        p.kind, p.rn_l, p.rn_r, p.rules, p.deterministic,
        l.company AS l_company, r.company AS r_company, l.company_token AS l_token, r.company_token AS r_token,
        l.domain AS l_domain, r.domain AS r_domain,
        l.phone AS l_phone, r.phone AS r_phone, l.phone_local AS l_plocal, r.phone_local AS r_plocal,
        l.address AS l_addr, r.address AS r_addr, l.address_number AS l_num, r.address_number AS r_num,
        l.street AS l_street, r.street AS r_street,
        l.postcode AS l_post, r.postcode AS r_post, l.postcode_area AS l_area, r.postcode_area AS r_area,
        l.city AS l_city, r.city AS r_city, l.state AS l_state, r.state AS r_state,
        l.country AS l_country, r.country AS r_country,
        (JAROWINKLER_SIMILARITY(l.company, r.company) / 100.0) AS s_company,
        (JAROWINKLER_SIMILARITY(l.street, r.street) / 100.0) AS s_street,
        (JAROWINKLER_SIMILARITY(l.city, r.city) / 100.0) AS s_city
    FROM pairs AS p
    JOIN f AS l ON l.rn = p.rn_l
    JOIN f AS r ON r.rn = p.rn_r
),

levels AS (
    SELECT
        kind, rn_l, rn_r, rules, deterministic, l_company, l_post, l_city, l_state, l_country,
        CASE
            WHEN l_company IS NULL OR r_company IS NULL THEN -1
            WHEN l_company = r_company THEN 4
            WHEN s_company >= 0.95 OR replace(l_company, ' ', '') = replace(r_company, ' ', '') THEN 3
            WHEN s_company >= 0.88 THEN 2
            WHEN l_token = r_token
                 OR (length(l_company) >= 4 AND length(r_company) >= 4
                     AND (l_company LIKE '%' || r_company || '%' OR r_company LIKE '%' || l_company || '%')) THEN 1
            ELSE 0
        END AS c_company,
        CASE
            WHEN l_domain IS NULL OR r_domain IS NULL THEN -1
            WHEN l_domain = r_domain THEN 1
            ELSE 0
        END AS c_domain,
        CASE
            WHEN l_phone IS NULL OR r_phone IS NULL THEN -1
            WHEN l_phone = r_phone THEN 2
            WHEN l_plocal = r_plocal THEN 1
            ELSE 0
        END AS c_phone,
        CASE
            WHEN l_addr IS NULL OR r_addr IS NULL THEN -1
            WHEN l_addr = r_addr THEN 4
            WHEN l_num = r_num AND s_street >= 0.88 THEN 3
            WHEN s_street >= 0.9 THEN 2
            WHEN l_num = r_num THEN 1
            ELSE 0
        END AS c_address,
        CASE
            WHEN l_post IS NULL OR r_post IS NULL THEN -1
            WHEN l_post = r_post THEN 2
            WHEN l_area = r_area THEN 1
            ELSE 0
        END AS c_postcode,
        CASE
            WHEN l_city IS NULL OR r_city IS NULL THEN -1
            WHEN l_city = r_city THEN 2
            WHEN s_city >= 0.9 THEN 1
            ELSE 0
        END AS c_city,
        CASE
            WHEN l_state IS NULL OR r_state IS NULL THEN -1
            WHEN l_state = r_state THEN 1
            ELSE 0
        END AS c_state,
        CASE
            WHEN l_country IS NULL OR r_country IS NULL THEN -1
            WHEN l_country = r_country THEN 1
            ELSE 0
        END AS c_country
    FROM sims
),

tf_company AS (
    SELECT company AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE company IS NOT NULL GROUP BY company
),
tf_post AS (
    SELECT postcode AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE postcode IS NOT NULL GROUP BY postcode
),
tf_city AS (
    SELECT city AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE city IS NOT NULL GROUP BY city
),
tf_state AS (
    SELECT state AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE state IS NOT NULL GROUP BY state
),
tf_country AS (
    SELECT country AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE country IS NOT NULL GROUP BY country
)

SELECT
    x.kind, x.rn_l, x.rn_r, x.rules, x.deterministic,
    x.c_company, x.c_domain, x.c_phone, x.c_address, x.c_postcode, x.c_city, x.c_state, x.c_country,
    CASE WHEN x.c_company = 4 THEN t1.tf END AS tf_company,
    CASE WHEN x.c_postcode = 2 THEN t2.tf END AS tf_postcode,
    CASE WHEN x.c_city = 2 THEN t3.tf END AS tf_city,
    CASE WHEN x.c_state = 1 THEN t4.tf END AS tf_state,
    CASE WHEN x.c_country = 1 THEN t5.tf END AS tf_country
FROM levels AS x
LEFT JOIN tf_company AS t1 ON t1.v = x.l_company
LEFT JOIN tf_post AS t2 ON t2.v = x.l_post
LEFT JOIN tf_city AS t3 ON t3.v = x.l_city
LEFT JOIN tf_state AS t4 ON t4.v = x.l_state
LEFT JOIN tf_country AS t5 ON t5.v = x.l_country
