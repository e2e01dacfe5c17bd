-- identity.company_clusters: one row per company record with the cluster
-- (entity) it belongs to: the connected components of the linked pairs of
-- identity.company_links. cluster_id is the smallest record_id of the
-- component: it changes when records join or leave, so use the golden ids
-- (identity.crosswalk) to refer to an entity.
-- Components are found by min-label propagation with pointer jumping, in
-- plain joins every warehouse runs: each round every record takes the
-- smallest label among its own and its neighbours', then the label of that
-- label. 12 rounds settle components whose links are thousands of records
-- long; the test tests.identity_clusters_settled checks that none is left over.
-- config: materialized=table
-- test: unique record_id
-- test: not_null cluster_id
WITH features AS (
    SELECT rn, record_id, source FROM {{ ref "identity.company_features" }}
),

links AS (
    SELECT l.rn AS a, r.rn AS b
    FROM {{ ref "identity.company_links" }} AS k
    JOIN features AS l ON l.record_id = k.record_id_l
    JOIN features AS r ON r.record_id = k.record_id_r
    WHERE k.linked
),

edges AS (
    SELECT a, b FROM links
    UNION ALL
    SELECT b, a FROM links
),

l0 AS (
    SELECT a AS node, least(a, min(b)) AS lbl FROM edges GROUP BY a
),
{{- $prev := "l0" }}
{{- range $i := 12 }}

n{{ $i }} AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN {{ $prev }} AS p ON p.node = e.b
    GROUP BY e.a
),
s{{ $i }} AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM {{ $prev }} AS p LEFT JOIN n{{ $i }} AS n ON n.node = p.node
),
l{{ $i }}_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s{{ $i }} AS s JOIN s{{ $i }} AS j ON j.node = s.lbl
),
{{- $prev = printf "l%d_" $i }}
{{- end }}

labels AS (
    SELECT node, lbl FROM {{ $prev }}
)

SELECT f.record_id, coalesce(c.record_id, f.record_id) AS cluster_id, f.source
FROM features AS f
LEFT JOIN labels AS x ON x.node = f.rn
LEFT JOIN features AS c ON c.rn = x.lbl
