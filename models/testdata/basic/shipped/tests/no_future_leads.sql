-- Leads cannot be created in the future.
-- config: tags=daily
SELECT lead_id FROM {{ ref "core.leads" }} WHERE created_at > {{ now }}
