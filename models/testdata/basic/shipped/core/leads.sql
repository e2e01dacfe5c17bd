-- config: materialized=table; tags=core,daily
-- test: unique lead_id
-- test: not_null lead_id,system
-- test: accepted_values status: open,working,converted; severity=warn
-- test: relationships status -> seeds.stage_map.stage
WITH all_leads AS (
  SELECT lead_id, email, status, created_at, 'salesforce' AS system FROM {{ ref "sf_leads" }}
{{- if source_exists "zoho_crm" "leads" }}
  UNION ALL
  SELECT lead_id, email, status, created_at, 'zoho' AS system FROM {{ ref "zoho_leads" }}
{{- end }}
)
SELECT l.lead_id, l.email, coalesce(m.stage, 'open') AS status, l.created_at, l.system
FROM all_leads AS l
LEFT JOIN {{ ref "stage_map" }} AS m ON m.status = l.status
