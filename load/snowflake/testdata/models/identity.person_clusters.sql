-- identity.person_clusters (sql/identity/person_clusters.sql, table)
WITH features AS (
    SELECT rn, record_id, source FROM "IDENTITY"."PERSON_FEATURES"
),

links AS (
    SELECT l.rn AS a, r.rn AS b
    FROM "IDENTITY"."PERSON_LINKS" AS k
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

n0 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l0 AS p ON p.node = e.b
    GROUP BY e.a
),
s0 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l0 AS p LEFT JOIN n0 AS n ON n.node = p.node
),
l0_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s0 AS s JOIN s0 AS j ON j.node = s.lbl
),

n1 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l0_ AS p ON p.node = e.b
    GROUP BY e.a
),
s1 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l0_ AS p LEFT JOIN n1 AS n ON n.node = p.node
),
l1_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s1 AS s JOIN s1 AS j ON j.node = s.lbl
),

n2 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l1_ AS p ON p.node = e.b
    GROUP BY e.a
),
s2 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l1_ AS p LEFT JOIN n2 AS n ON n.node = p.node
),
l2_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s2 AS s JOIN s2 AS j ON j.node = s.lbl
),

n3 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l2_ AS p ON p.node = e.b
    GROUP BY e.a
),
s3 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l2_ AS p LEFT JOIN n3 AS n ON n.node = p.node
),
l3_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s3 AS s JOIN s3 AS j ON j.node = s.lbl
),

n4 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l3_ AS p ON p.node = e.b
    GROUP BY e.a
),
s4 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l3_ AS p LEFT JOIN n4 AS n ON n.node = p.node
),
l4_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s4 AS s JOIN s4 AS j ON j.node = s.lbl
),

n5 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l4_ AS p ON p.node = e.b
    GROUP BY e.a
),
s5 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l4_ AS p LEFT JOIN n5 AS n ON n.node = p.node
),
l5_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s5 AS s JOIN s5 AS j ON j.node = s.lbl
),

n6 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l5_ AS p ON p.node = e.b
    GROUP BY e.a
),
s6 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l5_ AS p LEFT JOIN n6 AS n ON n.node = p.node
),
l6_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s6 AS s JOIN s6 AS j ON j.node = s.lbl
),

n7 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l6_ AS p ON p.node = e.b
    GROUP BY e.a
),
s7 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l6_ AS p LEFT JOIN n7 AS n ON n.node = p.node
),
l7_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s7 AS s JOIN s7 AS j ON j.node = s.lbl
),

n8 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l7_ AS p ON p.node = e.b
    GROUP BY e.a
),
s8 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l7_ AS p LEFT JOIN n8 AS n ON n.node = p.node
),
l8_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s8 AS s JOIN s8 AS j ON j.node = s.lbl
),

n9 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l8_ AS p ON p.node = e.b
    GROUP BY e.a
),
s9 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l8_ AS p LEFT JOIN n9 AS n ON n.node = p.node
),
l9_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s9 AS s JOIN s9 AS j ON j.node = s.lbl
),

n10 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l9_ AS p ON p.node = e.b
    GROUP BY e.a
),
s10 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l9_ AS p LEFT JOIN n10 AS n ON n.node = p.node
),
l10_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s10 AS s JOIN s10 AS j ON j.node = s.lbl
),

n11 AS (
    SELECT e.a AS node, min(p.lbl) AS lbl
    FROM edges AS e JOIN l10_ AS p ON p.node = e.b
    GROUP BY e.a
),
s11 AS (
    SELECT p.node, least(p.lbl, coalesce(n.lbl, p.lbl)) AS lbl
    FROM l10_ AS p LEFT JOIN n11 AS n ON n.node = p.node
),
l11_ AS (
    SELECT s.node, least(s.lbl, j.lbl) AS lbl
    FROM s11 AS s JOIN s11 AS j ON j.node = s.lbl
),

labels AS (
    SELECT node, lbl FROM l11_
)

SELECT f.record_id, coalesce(c.record_id, f.record_id) AS cluster_id, f.source
FROM features AS f
LEFT JOIN labels AS x ON x.node = f.rn
LEFT JOIN features AS c ON c.rn = x.lbl
