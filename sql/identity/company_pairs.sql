-- identity.company_pairs: the pairs of company records to score.
--   kind 'candidate': records that share a blocking key (each blocking or
--     deterministic rule of identity.company_rules is one equi-join on
--     (rule, key)); rules is the sum of the bits of the rules that paired
--     them; deterministic names the first deterministic rule among them.
--     A key shared by more than identity_max_block_size records is skipped,
--     and blocks are taken smallest first (whatever their rule) while their
--     pairs stay within identity_pairs_per_record times the records (at
--     least identity_min_pair_budget): comparisons stay linear in the number
--     of records, and a common value (a frequent surname with a frequent
--     first initial) gives way to the telling ones.
--   kind 'random': a deterministic sample of random pairs (records taken in
--     the order of a hash of their record_id, each paired with the next
--     ones), from which the u probabilities are estimated.
-- With identity_link_only only pairs of records from different sources.
-- rn_l < rn_r (so record_id_l < record_id_r).
-- config: materialized=table
{{- $linkOnly := eq (var "identity_link_only" "false") "true" }}
WITH keys AS (
    SELECT rule, key, rn FROM {{ ref "identity.company_block_keys" }}
),

sized AS (
    SELECT rule, key, count(*) AS n
    FROM keys
    GROUP BY rule, key
    HAVING count(*) BETWEEN 2 AND {{ var "identity_max_block_size" "400" }}
),

ranked AS (
    -- The smallest (most telling) blocks first, whatever their rule.
    SELECT rule, key, n,
        sum(n * (n - 1) / 2) OVER (ORDER BY n, rule, key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS pairs_so_far
    FROM sized
),

blocks AS (
    SELECT b.rule, b.key
    FROM ranked AS b
    CROSS JOIN (SELECT count(*) AS n FROM {{ ref "identity.company_features" }}) AS t
    WHERE b.pairs_so_far <= greatest({{ var "identity_min_pair_budget" "2000000" }}, {{ var "identity_pairs_per_record" "10" }} * t.n)
),

members AS (
    SELECT k.rule, k.key, k.rn{{ if $linkOnly }}, coalesce(f.source, '') AS source{{ end }}
    FROM keys AS k
    JOIN blocks AS b ON b.rule = k.rule AND b.key = k.key
    {{- if $linkOnly }}
    JOIN {{ ref "identity.company_features" }} AS f ON f.rn = k.rn
    {{- end }}
),

candidates AS (
    SELECT
        a.rn AS rn_l,
        b.rn AS rn_r,
        {{ cast "sum(DISTINCT r.bit)" "bigint" }} AS rules,
        min(CASE WHEN r.kind = 'deterministic' THEN r.name END) AS deterministic
    FROM members AS a
    JOIN members AS b ON b.rule = a.rule AND b.key = a.key AND a.rn < b.rn
    JOIN {{ ref "identity.company_rules" }} AS r ON r.rule = a.rule
    {{- if $linkOnly }}
    WHERE a.source <> b.source
    {{- end }}
    GROUP BY a.rn, b.rn
),

positions AS (
    SELECT rn, coalesce(source, '') AS source,
        row_number() OVER (ORDER BY {{ hash "record_id" }}, rn) AS k
    FROM {{ ref "identity.company_features" }}
),

offsets AS (
    SELECT p.k AS d
    FROM positions AS p
    CROSS JOIN (SELECT count(*) AS n FROM positions) AS t
    WHERE p.k < t.n
      AND p.k <= ceil(least({{ var "identity_random_pairs" "400000" }}, greatest(100000, 40 * t.n)) / greatest(t.n, 1))
),

stepped AS (
    SELECT a.rn, a.source, a.k + o.d AS k2
    FROM positions AS a
    CROSS JOIN offsets AS o
),

random_pairs AS (
    SELECT least(a.rn, b.rn) AS rn_l, greatest(a.rn, b.rn) AS rn_r
    FROM stepped AS a
    JOIN positions AS b ON b.k = a.k2
    {{- if $linkOnly }}
    WHERE a.source <> b.source
    {{- end }}
)

SELECT 'candidate' AS kind, rn_l, rn_r, rules, deterministic FROM candidates
UNION ALL
SELECT 'random' AS kind, rn_l, rn_r, {{ cast "0" "bigint" }} AS rules, {{ cast "NULL" "varchar" }} AS deterministic
FROM random_pairs
