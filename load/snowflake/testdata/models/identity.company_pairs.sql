-- identity.company_pairs (sql/identity/company_pairs.sql, table)
WITH keys AS (
    SELECT rule, key, rn FROM "IDENTITY"."COMPANY_BLOCK_KEYS"
),

sized AS (
    SELECT rule, key, count(*) AS n
    FROM keys
    GROUP BY rule, key
    HAVING count(*) BETWEEN 2 AND 400
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
    CROSS JOIN (SELECT count(*) AS n FROM "IDENTITY"."COMPANY_FEATURES") AS t
    WHERE b.pairs_so_far <= greatest(2000000, 10 * t.n)
),

members AS (
    SELECT k.rule, k.key, k.rn
    FROM keys AS k
    JOIN blocks AS b ON b.rule = k.rule AND b.key = k.key
),

candidates AS (
    SELECT
        a.rn AS rn_l,
        b.rn AS rn_r,
        CAST(sum(DISTINCT r.bit) AS NUMBER(38,0)) AS rules,
        min(CASE WHEN r.kind = 'deterministic' THEN r.name END) AS deterministic
    FROM members AS a
    JOIN members AS b ON b.rule = a.rule AND b.key = a.key AND a.rn < b.rn
    JOIN "IDENTITY"."COMPANY_RULES" AS r ON r.rule = a.rule
    GROUP BY a.rn, b.rn
),

positions AS (
    SELECT rn, coalesce(source, '') AS source,
        row_number() OVER (ORDER BY MD5(CONCAT_WS('|', COALESCE(TO_VARCHAR(record_id), ''))), rn) AS k
    FROM "IDENTITY"."COMPANY_FEATURES"
),

offsets AS (
    SELECT p.k AS d
    FROM positions AS p
    CROSS JOIN (SELECT count(*) AS n FROM positions) AS t
    WHERE p.k < t.n
      AND p.k <= ceil(least(400000, greatest(100000, 40 * t.n)) / greatest(t.n, 1))
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
)

SELECT 'candidate' AS kind, rn_l, rn_r, rules, deterministic FROM candidates
UNION ALL
SELECT 'random' AS kind, rn_l, rn_r, CAST(0 AS NUMBER(38,0)) AS rules, CAST(NULL AS VARCHAR) AS deterministic
FROM random_pairs
