-- identity.person_block_keys: one row (rn, rule, key) per record and
-- rule whose fields the record has, written by the Go transform
-- identity_person_block_keys; key is a 64-bit hash of the rule's values.
-- Records that share a (rule, key) are compared: each rule is one
-- equi-join in identity.person_pairs.
-- config: materialized=transform; transform=identity_person_block_keys
SELECT * FROM {{ ref "identity.person_features" }}
