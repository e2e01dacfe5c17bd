-- identity.person_block_keys (sql/identity/person_block_keys.sql)
SELECT * FROM `identity`.`person_features`
