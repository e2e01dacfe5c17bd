-- identity.person_comparisons (sql/identity/person_comparisons.sql, table)
WITH pairs AS (
    SELECT kind, rn_l, rn_r, rules, deterministic FROM "IDENTITY"."PERSON_PAIRS"
),

f AS (
    SELECT
        rn, first_name, first_canon, last_name, middle_name, dob, dob_year,
        CASE WHEN NOT email_generic THEN email END AS email, email_local, email_domain, email_digits,
        domain, phone, phone_local, postcode, postcode_area, city, state, country,
        address, address_number, street, company, id_number, gender, occupation, birth_place
    FROM "IDENTITY"."PERSON_FEATURES"
),

joined AS (
    SELECT
        p.kind, p.rn_l, p.rn_r, p.rules, p.deterministic,
        l.first_name AS l_first, l.first_canon AS l_canon, l.last_name AS l_last,
        r.first_name AS r_first0, r.first_canon AS r_canon0, r.last_name AS r_last0,
        l.dob AS l_dob, r.dob AS r_dob,
        l.email AS l_email, r.email AS r_email, l.email_local AS l_local, r.email_local AS r_local,
        l.email_domain AS l_edomain, r.email_domain AS r_edomain,
        coalesce(l.email_digits, '') AS l_edigits, coalesce(r.email_digits, '') AS r_edigits,
        l.domain AS l_domain, r.domain AS r_domain,
        l.phone AS l_phone, r.phone AS r_phone, l.phone_local AS l_plocal, r.phone_local AS r_plocal,
        l.postcode AS l_post, r.postcode AS r_post, l.postcode_area AS l_area, r.postcode_area AS r_area,
        l.city AS l_city, r.city AS r_city, l.state AS l_state, r.state AS r_state,
        l.country AS l_country, r.country AS r_country,
        l.address AS l_addr, r.address AS r_addr, l.address_number AS l_num, r.address_number AS r_num,
        l.street AS l_street, r.street AS r_street,
        l.company AS l_company, r.company AS r_company, l.id_number AS l_id, r.id_number AS r_id,
        l.gender AS l_gender, r.gender AS r_gender, l.occupation AS l_occ, r.occupation AS r_occ,
        l.birth_place AS l_birth, r.birth_place AS r_birth,
        coalesce((JAROWINKLER_SIMILARITY(l.first_name, r.first_name) / 100.0), 0)
            + coalesce((JAROWINKLER_SIMILARITY(l.last_name, r.last_name) / 100.0), 0) AS direct_sim,
        coalesce((JAROWINKLER_SIMILARITY(l.first_name, r.last_name) / 100.0), 0)
            + coalesce((JAROWINKLER_SIMILARITY(l.last_name, r.first_name) / 100.0), 0) AS swapped_sim
    FROM pairs AS p
    JOIN f AS l ON l.rn = p.rn_l
    JOIN f AS r ON r.rn = p.rn_r
),

oriented AS (
    -- The right record's names, swapped when that agrees clearly better.
    SELECT
        j.*,
        CASE WHEN j.swapped_sim > j.direct_sim + 0.2 THEN j.r_last0 ELSE j.r_first0 END AS r_first,
        CASE WHEN j.swapped_sim > j.direct_sim + 0.2 THEN j.r_last0 ELSE j.r_canon0 END AS r_canon,
        CASE WHEN j.swapped_sim > j.direct_sim + 0.2 THEN j.r_first0 ELSE j.r_last0 END AS r_last
    FROM joined AS j
),

sims AS (
    SELECT
        o.*,
        (JAROWINKLER_SIMILARITY(o.l_first, o.r_first) / 100.0) AS s_first,
        (JAROWINKLER_SIMILARITY(o.l_last, o.r_last) / 100.0) AS s_last,
        (JAROWINKLER_SIMILARITY(o.l_post, o.r_post) / 100.0) AS s_post,
        (JAROWINKLER_SIMILARITY(o.l_city, o.r_city) / 100.0) AS s_city,
        (JAROWINKLER_SIMILARITY(o.l_street, o.r_street) / 100.0) AS s_street,
        (JAROWINKLER_SIMILARITY(o.l_addr, o.r_addr) / 100.0) AS s_addr,
        (JAROWINKLER_SIMILARITY(o.l_company, o.r_company) / 100.0) AS s_company,
        (JAROWINKLER_SIMILARITY(o.l_id, o.r_id) / 100.0) AS s_id,
        (JAROWINKLER_SIMILARITY(o.l_occ, o.r_occ) / 100.0) AS s_occ,
        (JAROWINKLER_SIMILARITY(o.l_birth, o.r_birth) / 100.0) AS s_birth
    FROM oriented AS o
),

levels AS (
    SELECT
        kind, rn_l, rn_r, rules, deterministic,
        l_first, l_last, l_dob, l_post, l_city, l_company, l_state, l_country, l_occ, l_birth,
        -- Two mailboxes of one domain whose numbers differ (j.smith and
        -- j.smith2): the organisation told two namesakes apart.
        coalesce(l_email IS NOT NULL AND r_email IS NOT NULL AND l_email <> r_email
            AND l_edomain = r_edomain AND l_edigits <> r_edigits, FALSE) AS numbered_mailboxes,
        CASE
            WHEN l_first IS NULL OR r_first IS NULL THEN -1
            WHEN l_first = r_first THEN 5
            WHEN l_canon = r_canon THEN 4
            WHEN s_first >= 0.92 THEN 3
            WHEN s_first >= 0.8 THEN 2
            WHEN substr(l_first, 1, 1) = substr(r_first, 1, 1)
                 AND (length(l_first) = 1 OR length(r_first) = 1) THEN 1
            ELSE 0
        END AS c_first_name,
        CASE
            WHEN l_last IS NULL OR r_last IS NULL THEN -1
            WHEN l_last = r_last THEN 3
            WHEN s_last >= 0.92 THEN 2
            WHEN s_last >= 0.8 OR (length(l_last) >= 4 AND length(r_last) >= 4
                 AND (l_last LIKE '%' || r_last || '%' OR r_last LIKE '%' || l_last || '%')) THEN 1
            ELSE 0
        END AS c_last_name,
        CASE
            WHEN l_dob IS NULL OR r_dob IS NULL THEN -1
            WHEN l_dob = r_dob THEN 4
            WHEN substr(l_dob, 1, 4) = substr(r_dob, 1, 4)
             AND (substr(l_dob, 5, 2) = substr(r_dob, 5, 2) OR substr(l_dob, 7, 2) = substr(r_dob, 7, 2)
                  OR (substr(l_dob, 5, 2) = substr(r_dob, 7, 2) AND substr(l_dob, 7, 2) = substr(r_dob, 5, 2))) THEN 3
            WHEN substr(l_dob, 5, 4) = substr(r_dob, 5, 4)
             AND (CASE WHEN substr(l_dob, 1, 1) = substr(r_dob, 1, 1) THEN 1 ELSE 0 END
                + CASE WHEN substr(l_dob, 2, 1) = substr(r_dob, 2, 1) THEN 1 ELSE 0 END
                + CASE WHEN substr(l_dob, 3, 1) = substr(r_dob, 3, 1) THEN 1 ELSE 0 END
                + CASE WHEN substr(l_dob, 4, 1) = substr(r_dob, 4, 1) THEN 1 ELSE 0 END) = 3 THEN 2
            WHEN substr(l_dob, 1, 4) = substr(r_dob, 1, 4) THEN 1
            ELSE 0
        END AS c_dob,
        CASE
            WHEN l_email IS NULL OR r_email IS NULL THEN -1
            WHEN l_email = r_email THEN 2
            -- Two addresses of one domain are two people (colleagues), so
            -- they count as different: the company comparison says where they work.
            -- The same name at another domain is another address (and the
            -- name is compared already): close is a typo apart in both
            -- parts. A typo keeps the first letter (or swaps the first two)
            -- and the digits: john.smith2 is the second John Smith's mailbox.
            WHEN l_edigits = r_edigits
             AND (substr(l_local, 1, 1) = substr(r_local, 1, 1)
                  OR substr(l_local, 2, 1) || substr(l_local, 1, 1) || substr(l_local, 3) = r_local)
             AND (l_local = r_local OR (JAROWINKLER_SIMILARITY(l_local, r_local) / 100.0) >= 0.92)
             AND (l_edomain = r_edomain OR (JAROWINKLER_SIMILARITY(l_edomain, r_edomain) / 100.0) >= 0.92) THEN 1
            ELSE 0
        END AS c_email,
        CASE
            WHEN l_phone IS NULL OR r_phone IS NULL THEN -1
            WHEN l_phone = r_phone THEN 2
            WHEN l_plocal = r_plocal THEN 1
            ELSE 0
        END AS c_phone,
        CASE
            WHEN l_post IS NULL OR r_post IS NULL THEN -1
            WHEN l_post = r_post THEN 3
            WHEN s_post >= 0.88 THEN 2
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
            WHEN l_addr IS NULL OR r_addr IS NULL THEN -1
            WHEN l_addr = r_addr THEN 3
            WHEN l_num = r_num AND s_street >= 0.85 THEN 2
            WHEN s_addr >= 0.85 THEN 1
            ELSE 0
        END AS c_address,
        CASE
            WHEN l_company IS NULL OR r_company IS NULL THEN -1
            WHEN l_company = r_company THEN 2
            WHEN s_company >= 0.9 THEN 1
            ELSE 0
        END AS c_company,
        CASE
            -- Two addresses already compare their domains.
            WHEN l_domain IS NULL OR r_domain IS NULL OR (l_email IS NOT NULL AND r_email IS NOT NULL) THEN -1
            WHEN l_domain = r_domain THEN 1
            ELSE 0
        END AS c_domain,
        CASE
            WHEN l_id IS NULL OR r_id IS NULL THEN -1
            WHEN l_id = r_id THEN 2
            WHEN s_id >= 0.9 THEN 1
            ELSE 0
        END AS c_id_number,
        CASE
            WHEN l_gender IS NULL OR r_gender IS NULL THEN -1
            WHEN l_gender = r_gender THEN 1
            ELSE 0
        END AS c_gender,
        CASE
            WHEN l_state IS NULL OR r_state IS NULL THEN -1
            WHEN l_state = r_state THEN 1
            ELSE 0
        END AS c_state,
        CASE
            WHEN l_country IS NULL OR r_country IS NULL THEN -1
            WHEN l_country = r_country THEN 1
            ELSE 0
        END AS c_country,
        CASE
            WHEN l_occ IS NULL OR r_occ IS NULL THEN -1
            WHEN l_occ = r_occ THEN 2
            WHEN s_occ >= 0.9 THEN 1
            ELSE 0
        END AS c_occupation,
        CASE
            WHEN l_birth IS NULL OR r_birth IS NULL THEN -1
            WHEN l_birth = r_birth THEN 2
            WHEN s_birth >= 0.9 THEN 1
            ELSE 0
        END AS c_birth_place
    FROM sims
),

tf_first AS (
    SELECT first_name AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE first_name IS NOT NULL GROUP BY first_name
),
tf_last AS (
    SELECT last_name AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE last_name IS NOT NULL GROUP BY last_name
),
tf_dob AS (
    SELECT dob AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE dob IS NOT NULL GROUP BY dob
),
tf_post AS (
    SELECT postcode AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE postcode IS NOT NULL GROUP BY postcode
),
tf_city AS (
    SELECT city AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE city IS NOT NULL GROUP BY city
),
tf_company AS (
    SELECT company AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE company IS NOT NULL GROUP BY company
),
tf_state AS (
    SELECT state AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE state IS NOT NULL GROUP BY state
),
tf_country AS (
    SELECT country AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE country IS NOT NULL GROUP BY country
),
tf_occ AS (
    SELECT occupation AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE occupation IS NOT NULL GROUP BY occupation
),
tf_birth AS (
    SELECT birth_place AS v, count(*) * 1.0 / sum(count(*)) OVER () AS tf FROM f WHERE birth_place IS NOT NULL GROUP BY birth_place
)

SELECT
    x.kind, x.rn_l, x.rn_r, x.rules, x.deterministic,
    x.c_first_name, x.c_last_name, x.c_dob,
    -- Mailbox names are mostly made of names: two addresses a typo apart
    -- whose people's last names differ are colleagues' (pieter.k@, pieter.s@).
    CASE WHEN x.c_email = 1 AND x.c_last_name = 0 THEN 0 ELSE x.c_email END AS c_email,
    x.c_phone, x.c_postcode, x.c_city,
    x.c_address, x.c_company, x.c_domain, x.c_id_number, x.c_gender, x.c_state, x.c_country,
    x.c_occupation, x.c_birth_place, x.numbered_mailboxes,
    CASE WHEN x.c_first_name = 5 THEN t1.tf END AS tf_first_name,
    CASE WHEN x.c_last_name = 3 THEN t2.tf END AS tf_last_name,
    CASE WHEN x.c_dob = 4 THEN t3.tf END AS tf_dob,
    CASE WHEN x.c_postcode = 3 THEN t4.tf END AS tf_postcode,
    CASE WHEN x.c_city = 2 THEN t5.tf END AS tf_city,
    CASE WHEN x.c_company = 2 THEN t6.tf END AS tf_company,
    CASE WHEN x.c_state = 1 THEN t7.tf END AS tf_state,
    CASE WHEN x.c_country = 1 THEN t8.tf END AS tf_country,
    CASE WHEN x.c_occupation = 2 THEN t9.tf END AS tf_occupation,
    CASE WHEN x.c_birth_place = 2 THEN t10.tf END AS tf_birth_place
FROM levels AS x
LEFT JOIN tf_first AS t1 ON t1.v = x.l_first
LEFT JOIN tf_last AS t2 ON t2.v = x.l_last
LEFT JOIN tf_dob AS t3 ON t3.v = x.l_dob
LEFT JOIN tf_post AS t4 ON t4.v = x.l_post
LEFT JOIN tf_city AS t5 ON t5.v = x.l_city
LEFT JOIN tf_company AS t6 ON t6.v = x.l_company
LEFT JOIN tf_state AS t7 ON t7.v = x.l_state
LEFT JOIN tf_country AS t8 ON t8.v = x.l_country
LEFT JOIN tf_occ AS t9 ON t9.v = x.l_occ
LEFT JOIN tf_birth AS t10 ON t10.v = x.l_birth
