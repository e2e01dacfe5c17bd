-- Leads cannot be created in the future.
-- config: tags=daily; severity=warn
SELECT lead_id FROM {{ ref "core.leads" }} WHERE created_at > {{ now }}
