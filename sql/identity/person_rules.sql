-- identity.person_rules: the blocking and deterministic rules of people,
-- from the identity: section of revops.yaml (or the defaults), written by
-- the Go transform identity_person_rules: rule (its number), name, kind
-- (blocking | deterministic), bit (2^rule, summed in person_pairs.rules),
-- fields, and the comparisons those fields inform.
-- config: materialized=transform; transform=identity_person_rules
SELECT 1 AS one
