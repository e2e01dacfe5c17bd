-- identity.company_id_state (sql/identity/company_id_state.sql, table)
WITH prev AS (
    SELECT
        golden_id, record_id, source, is_present, first_seen_at, last_seen_at, assigned_at,
        previous_golden_id, origin_golden_id, id_status, merged_into, minted_at, merged_at,
        retired_at, anchor_record_id, first_record_created_at
    FROM "IDENTITY"."COMPANY_ID_STATE"
),

build AS (
    SELECT CURRENT_TIMESTAMP() AS now_
),

-- Every id minted so far, once.
prev_ids AS (
    SELECT DISTINCT
        golden_id, id_status, merged_into, minted_at, merged_at, retired_at,
        anchor_record_id, first_record_created_at
    FROM prev
),

-- Every record seen so far, with its id resolved to a live (or retired) id.
prev_members AS (
    SELECT
        p.record_id, p.source, p.first_seen_at, p.last_seen_at, p.assigned_at,
        p.previous_golden_id, p.origin_golden_id, p.golden_id AS had_id,
        CASE WHEN i.id_status = 'merged' THEN i.merged_into ELSE p.golden_id END AS prev_id
    FROM prev AS p
    LEFT JOIN prev_ids AS i ON i.golden_id = p.golden_id
    WHERE p.record_id IS NOT NULL
),

-- The records of this build and their clusters (a record the clusters
-- leave out is a cluster of its own).
cur AS (
    SELECT
        i.record_id,
        i.source,
        i.created_at,
        coalesce(c.cluster_id, i.record_id) AS cluster_id
    FROM "IDENTITY"."COMPANY_INPUT" AS i
    LEFT JOIN "IDENTITY"."COMPANY_CLUSTERS" AS c ON c.record_id = i.record_id
),

claims AS (
    SELECT
        pm.prev_id AS golden_id,
        cur.cluster_id,
        count(*) AS holders,
        max(CASE WHEN cur.record_id = i.anchor_record_id THEN 1 ELSE 0 END) AS has_anchor
    FROM cur
    JOIN prev_members AS pm ON pm.record_id = cur.record_id
    JOIN prev_ids AS i ON i.golden_id = pm.prev_id
    GROUP BY pm.prev_id, cur.cluster_id
),

-- Each previous id goes to one cluster.
owners AS (
    SELECT golden_id, cluster_id
    FROM (
        SELECT
            c.golden_id, c.cluster_id,
            row_number() OVER (
                PARTITION BY c.golden_id ORDER BY c.holders DESC, c.has_anchor DESC, c.cluster_id
            ) AS rn
        FROM claims AS c
    ) AS o
    WHERE rn = 1
),

-- Each cluster keeps the oldest id it owns.
kept AS (
    SELECT cluster_id, golden_id
    FROM (
        SELECT
            o.cluster_id, o.golden_id,
            row_number() OVER (
                PARTITION BY o.cluster_id
                ORDER BY i.minted_at, i.first_record_created_at NULLS LAST, o.golden_id
            ) AS rn
        FROM owners AS o
        JOIN prev_ids AS i ON i.golden_id = o.golden_id
    ) AS k
    WHERE rn = 1
),

-- The other ids a cluster owns merge into the one it keeps.
merges AS (
    SELECT o.golden_id, k.golden_id AS winner
    FROM owners AS o
    JOIN kept AS k ON k.cluster_id = o.cluster_id
    WHERE o.golden_id <> k.golden_id
),

-- Clusters that own no id may take back an id their records started with,
-- if it was merged away before this build.
revivable AS (
    SELECT cur.cluster_id, pm.origin_golden_id AS golden_id, count(*) AS holders
    FROM cur
    JOIN prev_members AS pm ON pm.record_id = cur.record_id
    JOIN prev_ids AS i ON i.golden_id = pm.origin_golden_id AND i.id_status = 'merged'
    LEFT JOIN kept AS k ON k.cluster_id = cur.cluster_id
    WHERE k.cluster_id IS NULL
    GROUP BY cur.cluster_id, pm.origin_golden_id
),

revived AS (
    SELECT cluster_id, golden_id
    FROM (
        SELECT
            w.cluster_id, w.golden_id,
            row_number() OVER (
                PARTITION BY w.cluster_id
                ORDER BY i.minted_at, i.first_record_created_at NULLS LAST, w.golden_id
            ) AS rn
        FROM (
            SELECT
                r.cluster_id, r.golden_id,
                row_number() OVER (PARTITION BY r.golden_id ORDER BY r.holders DESC, r.cluster_id) AS won
            FROM revivable AS r
        ) AS w
        JOIN prev_ids AS i ON i.golden_id = w.golden_id
        WHERE w.won = 1
    ) AS r
    WHERE rn = 1
),

-- Every other cluster gets a new id.
fresh AS (
    SELECT
        cur.cluster_id,
        min(cur.record_id) AS anchor_record_id,
        min(cur.created_at) AS first_record_created_at
    FROM cur
    LEFT JOIN kept AS k ON k.cluster_id = cur.cluster_id
    LEFT JOIN revived AS r ON r.cluster_id = cur.cluster_id
    WHERE k.cluster_id IS NULL AND r.cluster_id IS NULL
    GROUP BY cur.cluster_id
),

minted AS (
    SELECT
        f.cluster_id,
        'C-' || substr(MD5(CONCAT_WS('|', COALESCE(TO_VARCHAR(f.anchor_record_id), ''), COALESCE(TO_VARCHAR(coalesce(u.n, 0)), ''))), 1, 16) AS golden_id,
        f.anchor_record_id,
        f.first_record_created_at
    FROM fresh AS f
    LEFT JOIN (
        SELECT anchor_record_id, count(*) AS n FROM prev_ids GROUP BY anchor_record_id
    ) AS u ON u.anchor_record_id = f.anchor_record_id
),

assigned AS (
    SELECT cluster_id, golden_id FROM kept
    UNION ALL
    SELECT cluster_id, golden_id FROM revived
    UNION ALL
    SELECT cluster_id, golden_id FROM minted
),

ids AS (
    -- Ids held by a cluster of this build.
    SELECT
        a.golden_id,
        'active' AS id_status,
        CAST(NULL AS VARCHAR) AS merged_into,
        coalesce(i.minted_at, b.now_) AS minted_at,
        CAST(NULL AS TIMESTAMP_TZ) AS merged_at,
        CAST(NULL AS TIMESTAMP_TZ) AS retired_at,
        coalesce(i.anchor_record_id, m.anchor_record_id) AS anchor_record_id,
        coalesce(i.first_record_created_at, m.first_record_created_at) AS first_record_created_at
    FROM assigned AS a
    CROSS JOIN build AS b
    LEFT JOIN prev_ids AS i ON i.golden_id = a.golden_id
    LEFT JOIN minted AS m ON m.cluster_id = a.cluster_id

    UNION ALL
    -- Ids held by none: merged now, merged before, or retired.
    SELECT
        i.golden_id,
        CASE WHEN mg.winner IS NOT NULL OR i.id_status = 'merged' THEN 'merged' ELSE 'retired' END,
        CASE
            WHEN mg.winner IS NOT NULL THEN mg.winner
            WHEN i.id_status = 'merged' THEN coalesce(hop.winner, i.merged_into)
        END,
        i.minted_at,
        CASE WHEN mg.winner IS NOT NULL THEN b.now_ ELSE i.merged_at END,
        CASE
            WHEN mg.winner IS NOT NULL OR i.id_status = 'merged' THEN CAST(NULL AS TIMESTAMP_TZ)
            ELSE coalesce(i.retired_at, b.now_)
        END,
        i.anchor_record_id,
        i.first_record_created_at
    FROM prev_ids AS i
    CROSS JOIN build AS b
    LEFT JOIN assigned AS a ON a.golden_id = i.golden_id
    LEFT JOIN merges AS mg ON mg.golden_id = i.golden_id
    LEFT JOIN merges AS hop ON hop.golden_id = i.merged_into
    WHERE a.golden_id IS NULL
),

members AS (
    -- Records of this build.
    SELECT
        a.golden_id,
        cur.record_id,
        cur.source,
        TRUE AS is_present,
        coalesce(pm.first_seen_at, b.now_) AS first_seen_at,
        b.now_ AS last_seen_at,
        CASE WHEN pm.had_id = a.golden_id THEN pm.assigned_at ELSE b.now_ END AS assigned_at,
        CASE WHEN pm.had_id = a.golden_id THEN pm.previous_golden_id ELSE pm.had_id END AS previous_golden_id,
        coalesce(pm.origin_golden_id, a.golden_id) AS origin_golden_id
    FROM cur
    CROSS JOIN build AS b
    JOIN assigned AS a ON a.cluster_id = cur.cluster_id
    LEFT JOIN prev_members AS pm ON pm.record_id = cur.record_id

    UNION ALL
    -- Records gone from the CRMs keep their id (followed through merges).
    SELECT
        coalesce(mg.winner, pm.prev_id),
        pm.record_id,
        pm.source,
        FALSE,
        pm.first_seen_at,
        pm.last_seen_at,
        pm.assigned_at,
        pm.previous_golden_id,
        pm.origin_golden_id
    FROM prev_members AS pm
    LEFT JOIN cur ON cur.record_id = pm.record_id
    LEFT JOIN merges AS mg ON mg.golden_id = pm.prev_id
    WHERE cur.record_id IS NULL
)

SELECT
    m.golden_id, m.record_id, m.source, m.is_present, m.first_seen_at, m.last_seen_at, m.assigned_at,
    m.previous_golden_id, m.origin_golden_id,
    i.id_status, i.merged_into, i.minted_at, i.merged_at, i.retired_at,
    i.anchor_record_id, i.first_record_created_at
FROM members AS m
JOIN ids AS i ON i.golden_id = m.golden_id

UNION ALL
-- One row for each id no record holds (merged ids).
SELECT
    i.golden_id, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS BOOLEAN),
    CAST(NULL AS TIMESTAMP_TZ), CAST(NULL AS TIMESTAMP_TZ),
    CAST(NULL AS TIMESTAMP_TZ), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
    i.id_status, i.merged_into, i.minted_at, i.merged_at, i.retired_at,
    i.anchor_record_id, i.first_record_created_at
FROM ids AS i
WHERE NOT EXISTS (SELECT 1 FROM members AS m WHERE m.golden_id = i.golden_id)
