-- identity.person_rules (sql/identity/person_rules.sql)
SELECT 1 AS one
