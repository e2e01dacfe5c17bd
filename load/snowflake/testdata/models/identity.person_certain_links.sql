-- identity.person_certain_links (sql/identity/person_certain_links.sql, table)
WITH input AS (
    SELECT record_id, source, object, source_id FROM "IDENTITY"."PERSON_INPUT"
),

pairs AS (
    SELECT CAST(NULL AS VARCHAR) AS a, CAST(NULL AS VARCHAR) AS b, CAST(NULL AS VARCHAR) AS rule
    WHERE 1 = 0

    UNION ALL
    -- What revops wrote: key → destination id, per sync.
    SELECT k.record_id, d.record_id, 'revops_sync:' || s.sync
    FROM "IDENTITY"."STATE_SYNC_SNAPSHOTS" AS s
    LEFT JOIN "SEEDS"."IDENTITY_SYNCS" AS cfg ON cfg.sync = s.sync
    JOIN input AS d
        ON d.source_id = s.destination_id
       AND (cfg.sync IS NULL
            OR (d.source = cfg.destination_source
                AND lower(d.object) = lower(coalesce(s.destination_object, cfg.destination_object))))
    JOIN (
        SELECT i.*, count(*) OVER (PARTITION BY i.source_id) AS holders
        FROM input AS i
    ) AS k ON k.source_id = s.key AND k.holders = 1
    WHERE s.destination_id IS NOT NULL
      AND k.record_id <> d.record_id

    UNION ALL
    SELECT 'salesforce:Lead:' || lead_id, 'salesforce:Contact:' || converted_contact_id, 'salesforce:lead_converted'
    FROM "STAGING"."STG_SALESFORCE__LEAD"
    WHERE is_converted AND converted_contact_id IS NOT NULL

    UNION ALL
    SELECT 'zoho_crm:Leads:' || lead_id, sf.record_id, 'zoho_crm:salesforce_id'
    FROM "STAGING"."STG_ZOHO_CRM__LEADS" AS z
    JOIN input AS sf ON sf.source = 'salesforce' AND sf.source_id = z.salesforce_id

    UNION ALL
    SELECT 'zoho_crm:Contacts:' || contact_id, sf.record_id, 'zoho_crm:salesforce_id'
    FROM "STAGING"."STG_ZOHO_CRM__CONTACTS" AS z
    JOIN input AS sf ON sf.source = 'salesforce' AND sf.source_id = z.salesforce_id
),

ordered AS (
    SELECT
        CASE WHEN a < b THEN a ELSE b END AS record_id_l,
        CASE WHEN a < b THEN b ELSE a END AS record_id_r,
        rule
    FROM pairs
    WHERE a <> b
)

SELECT o.record_id_l, o.record_id_r, min(o.rule) AS rule
FROM ordered AS o
JOIN input AS l ON l.record_id = o.record_id_l
JOIN input AS r ON r.record_id = o.record_id_r
GROUP BY o.record_id_l, o.record_id_r
