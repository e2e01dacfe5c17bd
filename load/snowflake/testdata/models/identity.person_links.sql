-- identity.person_links (sql/identity/person_links.sql, table)
WITH w AS (
    SELECT comparison, level, u, weight FROM "IDENTITY"."PERSON_WEIGHTS"
),

features AS (
    SELECT rn, record_id FROM "IDENTITY"."PERSON_FEATURES"
),

scored AS (
    SELECT
        c.*,
        prior.weight
            + w_first_name.weight
            + w_last_name.weight
            + w_dob.weight
            + w_email.weight
            + w_phone.weight
            + w_id_number.weight
            + w_gender.weight
            + w_occupation.weight
            + coalesce(ln(w_first_name.u / c.tf_first_name) / ln(2), 0)
            + coalesce(ln(w_last_name.u / c.tf_last_name) / ln(2), 0)
            + coalesce(ln(w_dob.u / c.tf_dob) / ln(2), 0)
            + coalesce(ln(w_occupation.u / c.tf_occupation) / ln(2), 0)
            -- Places (postcode, city, address, state, country, birth place,
            -- and the employer: company and web domain) go together: their
            -- strongest agreement counts, and every disagreement.
            + greatest(0, w_company.weight + coalesce(ln(w_company.u / c.tf_company) / ln(2), 0), w_domain.weight, (w_postcode.weight + coalesce(ln(w_postcode.u / c.tf_postcode) / ln(2), 0)), (w_city.weight + coalesce(ln(w_city.u / c.tf_city) / ln(2), 0)), (w_address.weight), (w_state.weight + coalesce(ln(w_state.u / c.tf_state) / ln(2), 0)), (w_country.weight + coalesce(ln(w_country.u / c.tf_country) / ln(2), 0)), (w_birth_place.weight + coalesce(ln(w_birth_place.u / c.tf_birth_place) / ln(2), 0)))
            + least(0, w_company.weight + coalesce(ln(w_company.u / c.tf_company) / ln(2), 0)) + least(0, w_domain.weight)
            + least(0, w_postcode.weight + coalesce(ln(w_postcode.u / c.tf_postcode) / ln(2), 0)) + least(0, w_city.weight + coalesce(ln(w_city.u / c.tf_city) / ln(2), 0)) + least(0, w_address.weight) + least(0, w_state.weight + coalesce(ln(w_state.u / c.tf_state) / ln(2), 0)) + least(0, w_country.weight + coalesce(ln(w_country.u / c.tf_country) / ln(2), 0)) + least(0, w_birth_place.weight + coalesce(ln(w_birth_place.u / c.tf_birth_place) / ln(2), 0))
            AS match_weight
    FROM "IDENTITY"."PERSON_COMPARISONS" AS c
    CROSS JOIN (SELECT weight FROM w WHERE comparison = '_prior') AS prior
    JOIN w AS w_first_name ON w_first_name.comparison = 'first_name' AND w_first_name.level = c.c_first_name
    JOIN w AS w_last_name ON w_last_name.comparison = 'last_name' AND w_last_name.level = c.c_last_name
    JOIN w AS w_dob ON w_dob.comparison = 'dob' AND w_dob.level = c.c_dob
    JOIN w AS w_email ON w_email.comparison = 'email' AND w_email.level = c.c_email
    JOIN w AS w_phone ON w_phone.comparison = 'phone' AND w_phone.level = c.c_phone
    JOIN w AS w_postcode ON w_postcode.comparison = 'postcode' AND w_postcode.level = c.c_postcode
    JOIN w AS w_city ON w_city.comparison = 'city' AND w_city.level = c.c_city
    JOIN w AS w_address ON w_address.comparison = 'address' AND w_address.level = c.c_address
    JOIN w AS w_company ON w_company.comparison = 'company' AND w_company.level = c.c_company
    JOIN w AS w_domain ON w_domain.comparison = 'domain' AND w_domain.level = c.c_domain
    JOIN w AS w_id_number ON w_id_number.comparison = 'id_number' AND w_id_number.level = c.c_id_number
    JOIN w AS w_gender ON w_gender.comparison = 'gender' AND w_gender.level = c.c_gender
    JOIN w AS w_state ON w_state.comparison = 'state' AND w_state.level = c.c_state
    JOIN w AS w_country ON w_country.comparison = 'country' AND w_country.level = c.c_country
    JOIN w AS w_occupation ON w_occupation.comparison = 'occupation' AND w_occupation.level = c.c_occupation
    JOIN w AS w_birth_place ON w_birth_place.comparison = 'birth_place' AND w_birth_place.level = c.c_birth_place
    WHERE c.kind = 'candidate'
),

scored_ids AS (
    SELECT
        l.record_id AS record_id_l, r.record_id AS record_id_r, s.*,
        1 / (1 + exp(-s.match_weight * ln(2))) AS match_probability
    FROM scored AS s
    JOIN features AS l ON l.rn = s.rn_l
    JOIN features AS r ON r.rn = s.rn_r
),

certain AS (
    SELECT record_id_l, record_id_r, min(rule) AS rule
    FROM (
        SELECT least(record_id_l, record_id_r) AS record_id_l, greatest(record_id_l, record_id_r) AS record_id_r, rule
        FROM "IDENTITY"."PERSON_CERTAIN_LINKS"
        WHERE record_id_l <> record_id_r
    ) AS x
    GROUP BY record_id_l, record_id_r
),

decided AS (
    SELECT least(record_id_l, record_id_r) AS record_id_l, greatest(record_id_l, record_id_r) AS record_id_r,
        max(decision) AS decision
    FROM "IDENTITY"."DECISIONS"
    WHERE entity = 'person' AND record_id_l <> record_id_r
    GROUP BY least(record_id_l, record_id_r), greatest(record_id_l, record_id_r)
),

kept AS (
    SELECT record_id_l, record_id_r FROM scored_ids
    WHERE match_probability >= 0.5 OR deterministic IS NOT NULL
    UNION
    SELECT record_id_l, record_id_r FROM certain
    UNION
    SELECT record_id_l, record_id_r FROM decided
)

SELECT
    k.record_id_l,
    k.record_id_r,
    s.match_weight,
    s.match_probability,
    CASE
        WHEN d.decision IS NOT NULL THEN 'decision'
        WHEN c.rule IS NOT NULL THEN 'certain:' || c.rule
        WHEN s.deterministic IS NOT NULL THEN 'deterministic:' || s.deterministic
        ELSE 'probabilistic'
    END AS rule,
    CASE
        WHEN d.decision = 'no_match' THEN FALSE
        WHEN d.decision = 'match' THEN TRUE
        WHEN c.rule IS NOT NULL OR s.deterministic IS NOT NULL THEN TRUE
        -- A score never links two people whose first and last names both
        -- differ (they share only places and dates), nor two mailboxes of
        -- one domain told apart by their number (j.smith@, j.smith2@).
        WHEN s.c_first_name = 0 AND s.c_last_name = 0 THEN FALSE
        WHEN s.numbered_mailboxes THEN FALSE
        ELSE coalesce(s.match_probability >= 0.9, FALSE)
    END AS linked,
    s.c_first_name, s.c_last_name, s.c_dob, s.c_email, s.c_phone, s.c_postcode, s.c_city, s.c_address, s.c_company, s.c_domain, s.c_id_number, s.c_gender, s.c_state, s.c_country, s.c_occupation, s.c_birth_place
FROM kept AS k
JOIN features AS fl ON fl.record_id = k.record_id_l
JOIN features AS fr ON fr.record_id = k.record_id_r
LEFT JOIN scored_ids AS s ON s.record_id_l = k.record_id_l AND s.record_id_r = k.record_id_r
LEFT JOIN certain AS c ON c.record_id_l = k.record_id_l AND c.record_id_r = k.record_id_r
LEFT JOIN decided AS d ON d.record_id_l = k.record_id_l AND d.record_id_r = k.record_id_r
