-- identity.person_block_keys (sql/identity/person_block_keys.sql, transform)
SELECT * FROM "IDENTITY"."PERSON_FEATURES"
