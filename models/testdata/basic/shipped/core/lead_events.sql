-- config: materialized=incremental; unique_key=lead_id
SELECT lead_id, status, created_at FROM {{ ref "core.leads" }}
{{- if is_incremental }}
WHERE created_at > (SELECT max(created_at) FROM {{ this }})
{{- end }}
