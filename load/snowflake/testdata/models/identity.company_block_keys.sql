-- identity.company_block_keys (sql/identity/company_block_keys.sql, transform)
SELECT * FROM "IDENTITY"."COMPANY_FEATURES"
