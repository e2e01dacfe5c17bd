-- identity.company_weights: the Fellegi–Sunter model of companies, fitted by
-- the Go transform identity_company_weights from the comparison levels of
-- identity.company_comparisons: per comparison and level, m (the level's
-- probability among matching pairs, by EM over the candidate pairs, one
-- session per blocking rule that leaves out the comparisons the rule
-- blocked on, a pair weighed as the links model scores it: one agreement
-- per group of comparisons), u (among non-matching pairs, from the random
-- pairs) and weight = log2(m / u) (or the identity: section's override);
-- level -1 (a value missing) weighs 0. The row comparison = '_prior' holds the
-- probability that two records match (m) and its weight log2(λ / (1 - λ)).
-- config: materialized=transform; transform=identity_company_weights
{{- $linkOnly := eq (var "identity_link_only" "false") "true" }}
WITH sources AS (
    SELECT count(*) AS k FROM {{ ref "identity.company_features" }} GROUP BY source
),

total AS (
    SELECT
        {{- if $linkOnly }}
        (sum(k) * sum(k) - sum(k * k)) / 2.0 AS total_pairs
        {{- else }}
        sum(k) * (sum(k) - 1) / 2.0 AS total_pairs
        {{- end }}
    FROM sources
)

SELECT
    c.kind, c.rules,
    c.c_company, c.c_domain, c.c_phone, c.c_address, c.c_postcode, c.c_city, c.c_state, c.c_country,
    count(*) AS n,
    max(t.total_pairs) AS total_pairs
FROM {{ ref "identity.company_comparisons" }} AS c
CROSS JOIN total AS t
GROUP BY
    c.kind, c.rules,
    c.c_company, c.c_domain, c.c_phone, c.c_address, c.c_postcode, c.c_city, c.c_state, c.c_country
