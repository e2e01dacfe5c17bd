-- identity.person_rules (sql/identity/person_rules.sql, transform)
SELECT 1 AS one
