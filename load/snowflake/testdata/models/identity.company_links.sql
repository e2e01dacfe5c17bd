-- identity.company_links (sql/identity/company_links.sql, table)
WITH w AS (
    SELECT comparison, level, u, weight FROM "IDENTITY"."COMPANY_WEIGHTS"
),

features AS (
    SELECT rn, record_id FROM "IDENTITY"."COMPANY_FEATURES"
),

scored AS (
    SELECT
        c.*,
        prior.weight
            + w_company.weight
            + w_domain.weight
            + w_phone.weight
            + coalesce(ln(w_company.u / c.tf_company) / ln(2), 0)
            -- Places (address, postcode, city, state, country) go together:
            -- their strongest agreement counts, and every disagreement.
            + greatest(0, w_address.weight, (w_postcode.weight + coalesce(ln(w_postcode.u / c.tf_postcode) / ln(2), 0)), (w_city.weight + coalesce(ln(w_city.u / c.tf_city) / ln(2), 0)), (w_state.weight + coalesce(ln(w_state.u / c.tf_state) / ln(2), 0)), (w_country.weight + coalesce(ln(w_country.u / c.tf_country) / ln(2), 0)))
            + least(0, w_address.weight) + least(0, w_postcode.weight + coalesce(ln(w_postcode.u / c.tf_postcode) / ln(2), 0)) + least(0, w_city.weight + coalesce(ln(w_city.u / c.tf_city) / ln(2), 0)) + least(0, w_state.weight + coalesce(ln(w_state.u / c.tf_state) / ln(2), 0)) + least(0, w_country.weight + coalesce(ln(w_country.u / c.tf_country) / ln(2), 0))
            AS match_weight
    FROM "IDENTITY"."COMPANY_COMPARISONS" AS c
    CROSS JOIN (SELECT weight FROM w WHERE comparison = '_prior') AS prior
    JOIN w AS w_company ON w_company.comparison = 'company' AND w_company.level = c.c_company
    JOIN w AS w_domain ON w_domain.comparison = 'domain' AND w_domain.level = c.c_domain
    JOIN w AS w_phone ON w_phone.comparison = 'phone' AND w_phone.level = c.c_phone
    JOIN w AS w_address ON w_address.comparison = 'address' AND w_address.level = c.c_address
    JOIN w AS w_postcode ON w_postcode.comparison = 'postcode' AND w_postcode.level = c.c_postcode
    JOIN w AS w_city ON w_city.comparison = 'city' AND w_city.level = c.c_city
    JOIN w AS w_state ON w_state.comparison = 'state' AND w_state.level = c.c_state
    JOIN w AS w_country ON w_country.comparison = 'country' AND w_country.level = c.c_country
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
        FROM "IDENTITY"."COMPANY_CERTAIN_LINKS"
        WHERE record_id_l <> record_id_r
    ) AS x
    GROUP BY record_id_l, record_id_r
),

decided AS (
    SELECT least(record_id_l, record_id_r) AS record_id_l, greatest(record_id_l, record_id_r) AS record_id_r,
        max(decision) AS decision
    FROM "IDENTITY"."DECISIONS"
    WHERE entity = 'company' AND record_id_l <> record_id_r
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
        -- A score never links two sites whose street addresses differ
        -- (neither the number nor the street agrees): one organisation's
        -- sites share its name, phone and website.
        WHEN s.c_address = 0 THEN FALSE
        ELSE coalesce(s.match_probability >= 0.9, FALSE)
    END AS linked,
    s.c_company, s.c_domain, s.c_phone, s.c_address, s.c_postcode, s.c_city, s.c_state, s.c_country
FROM kept AS k
JOIN features AS fl ON fl.record_id = k.record_id_l
JOIN features AS fr ON fr.record_id = k.record_id_r
LEFT JOIN scored_ids AS s ON s.record_id_l = k.record_id_l AND s.record_id_r = k.record_id_r
LEFT JOIN certain AS c ON c.record_id_l = k.record_id_l AND c.record_id_r = k.record_id_r
LEFT JOIN decided AS d ON d.record_id_l = k.record_id_l AND d.record_id_r = k.record_id_r
