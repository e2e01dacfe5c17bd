-- identity.person_block_keys (sql/identity/person_block_keys.sql, transform)
SELECT * FROM "identity"."person_features"
