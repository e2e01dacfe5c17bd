-- config: tags=core
-- test: unique account_id
SELECT DISTINCT split_part(email, '@', 2) AS account_id FROM {{ ref "core.leads" }}
