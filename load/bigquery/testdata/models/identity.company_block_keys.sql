-- identity.company_block_keys (sql/identity/company_block_keys.sql)
SELECT * FROM `identity`.`company_features`
