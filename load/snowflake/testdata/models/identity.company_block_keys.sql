-- identity.company_block_keys (sql/identity/company_block_keys.sql, transform)
SELECT * FROM "identity"."company_features"
