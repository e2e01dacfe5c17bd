-- config: tags=zoho
SELECT
  id AS lead_id,
  lower("Email") AS email,
  "Lead_Status" AS status,
  "Created_Time" AS created_at
FROM {{ source "zoho_crm" "leads" }}
