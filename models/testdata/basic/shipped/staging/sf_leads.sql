-- Salesforce leads, renamed to the shared vocabulary.
-- config: tags=salesforce
-- test: not_null lead_id
SELECT
  "Id" AS lead_id,
  lower("Email") AS email,
  "Status" AS status,
  "CreatedDate" AS created_at
FROM {{ source "salesforce" "lead" }}
