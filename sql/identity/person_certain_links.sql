-- identity.person_certain_links: pairs of person records known to be the
-- same person, never left to fuzzy matching:
--   revops_sync:<sync>         a record revops created (or updates) in one
--                              CRM from a record of another: the sync's
--                              snapshot holds the key it read and the
--                              destination record's id
--   salesforce:lead_converted  a converted Salesforce Lead and its Contact
--   zoho_crm:salesforce_id     a Zoho record whose Salesforce_Id field
--                              holds the id of a Salesforce record
-- A sync's destination system and object come from seeds.identity_syncs,
-- which revops writes from the syncs of revops.yaml on every build (the
-- object is the snapshot's own when the row was written to another one: a
-- Lead sync's row found as a Contact); its key
-- is linked when it is the id of exactly one other person record (a sync
-- keyed on something else links nothing). A sync no longer configured still
-- links its records, matching the destination id among all person records.
-- Both records must be live in identity.person_input.
-- Grain: one row per pair (record_id_l < record_id_r); rule is the first
-- rule by name when several link the pair.
-- config: materialized=table
-- test: unique record_id_l,record_id_r
-- test: not_null record_id_l
-- test: not_null record_id_r
WITH input AS (
    SELECT record_id, source, object, source_id FROM {{ ref "identity.person_input" }}
),

pairs AS (
    SELECT {{ cast "NULL" "varchar" }} AS a, {{ cast "NULL" "varchar" }} AS b, {{ cast "NULL" "varchar" }} AS rule
    WHERE 1 = 0
{{- if source_exists "identity" "state_sync_snapshots" }}

    UNION ALL
    -- What revops wrote: key → destination id, per sync.
    SELECT k.record_id, d.record_id, 'revops_sync:' || s.sync
    FROM {{ source "identity" "state_sync_snapshots" }} AS s
    LEFT JOIN {{ ref "seeds.identity_syncs" }} AS cfg ON cfg.sync = s.sync
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
{{- end }}
{{- if source_exists "salesforce" "lead" }}

    UNION ALL
    SELECT 'salesforce:Lead:' || lead_id, 'salesforce:Contact:' || converted_contact_id, 'salesforce:lead_converted'
    FROM {{ ref "stg_salesforce__lead" }}
    WHERE is_converted AND converted_contact_id IS NOT NULL
{{- end }}
{{- if source_exists "zoho_crm" "leads" }}

    UNION ALL
    SELECT 'zoho_crm:Leads:' || lead_id, sf.record_id, 'zoho_crm:salesforce_id'
    FROM {{ ref "stg_zoho_crm__leads" }} AS z
    JOIN input AS sf ON sf.source = 'salesforce' AND sf.source_id = z.salesforce_id
{{- end }}
{{- if source_exists "zoho_crm" "contacts" }}

    UNION ALL
    SELECT 'zoho_crm:Contacts:' || contact_id, sf.record_id, 'zoho_crm:salesforce_id'
    FROM {{ ref "stg_zoho_crm__contacts" }} AS z
    JOIN input AS sf ON sf.source = 'salesforce' AND sf.source_id = z.salesforce_id
{{- end }}
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
